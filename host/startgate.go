package host

import (
	"sync"
	"time"
)

// The compiles of plugins whose descriptors came from the cache run in the
// background, and at start they used to run at once, beside the server's
// first answers: on two cores, reading and deserialising 15 MB of compiled
// code per plugin (and the garbage collections it causes) doubled the time
// to the first tools/list. They now wait for the start gate, which opens
// at the first of: the server answering its first tools/list, a tool call
// arriving (it waits for its plugin in any case), or startGrace after the
// loader was made. See RATIONALE.md, "Why do background compiles wait for
// the first tools/list?".

// startGrace bounds the gate's wait when no client lists or calls tools.
const startGrace = 500 * time.Millisecond

// startGate is opened once; its channel is closed then.
type startGate struct {
	once sync.Once
	c    chan struct{}
}

func newStartGate() *startGate {
	g := &startGate{c: make(chan struct{})}
	time.AfterFunc(startGrace, g.open)
	return g
}

// open lets the background compiles run.
func (g *startGate) open() { g.once.Do(func() { close(g.c) }) }

// wait returns once the gate is open.
func (g *startGate) wait() { <-g.c }
