package sim

import (
	"container/heap"
	"time"
)

// action is something a user does later: a purchase or another session.
type action struct {
	due  time.Time
	user *user
	kind actionKind
}

type actionKind int

const (
	actPurchase actionKind = iota
	actSession
)

// agenda holds future actions, earliest first.
type agenda []action

func (a agenda) Len() int           { return len(a) }
func (a agenda) Less(i, j int) bool { return a[i].due.Before(a[j].due) }
func (a agenda) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }
func (a *agenda) Push(x any)        { *a = append(*a, x.(action)) }
func (a *agenda) Pop() any {
	old := *a
	x := old[len(old)-1]
	*a = old[:len(old)-1]
	return x
}

func (a *agenda) schedule(x action) { heap.Push(a, x) }

// due pops every action due at or before t.
func (a *agenda) due(t time.Time) []action {
	var out []action
	for a.Len() > 0 && !(*a)[0].due.After(t) {
		out = append(out, heap.Pop(a).(action))
	}
	return out
}
