// Package uitest helps tests drive Bubble Tea models without a terminal:
// it builds key presses from their names ("enter", "ctrl+c", "G") and runs
// the commands a model returns, feeding their messages back, until nothing
// is left (bounded in count and time). Used by the tests of ui and its
// panes; it is not part of the product.
package uitest
