package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/wasmcp/wasmcp/host"
)

// benchClient sends JSON-RPC messages to the host's MCP server and returns
// the response bytes as a client would receive them.
type benchClient interface {
	call(ctx context.Context, id int64, msg []byte) ([]byte, error)
	close() error
}

// newBenchClient connects to h over transport: "stdio" is serve's stdio
// transport (serveStdio) over in-process pipes; "direct" is
// MCPServer.HandleMessage and the encoding of its response, no transport.
func newBenchClient(ctx context.Context, transport string, h *host.Host, errLog io.Writer) (benchClient, error) {
	var c benchClient
	switch transport {
	case "direct":
		c = benchDirect{h.MCPServer()}
	case "stdio":
		c = newBenchStdio(ctx, h, errLog)
	default:
		return nil, usageError{fmt.Errorf("--transport %q: want stdio or direct", transport)}
	}
	init := []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"host-bench","version":"1"}}}`)
	out, err := c.call(ctx, 0, init)
	if err == nil {
		err = rpcError(out)
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if sc, ok := c.(*benchStdio); ok {
		err = sc.send([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	}
	return c, err
}

// rpcError returns the JSON-RPC error of a response, if any.
func rpcError(resp []byte) error {
	var r struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return fmt.Errorf("undecodable response: %w", err)
	}
	if r.Error != nil {
		return fmt.Errorf("JSON-RPC error %d: %s", r.Error.Code, r.Error.Message)
	}
	return nil
}

type benchDirect struct{ s *server.MCPServer }

func (d benchDirect) call(ctx context.Context, _ int64, msg []byte) ([]byte, error) {
	return json.Marshal(d.s.HandleMessage(ctx, msg))
}

func (benchDirect) close() error { return nil }

// benchStdio writes requests, one a line, to serve's stdin pipe and
// matches the lines of its stdout pipe to them by id.
type benchStdio struct {
	in   *io.PipeWriter
	wmu  sync.Mutex
	mu   sync.Mutex
	wait map[int64]chan []byte
	done chan struct{} // closed when the server has stopped
	err  error         // why, set before done is closed
}

func newBenchStdio(ctx context.Context, h *host.Host, errLog io.Writer) *benchStdio {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &benchStdio{in: inW, wait: map[int64]chan []byte{}, done: make(chan struct{})}
	logger := slog.New(slog.NewTextHandler(errLog, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		_, err := serveStdio(ctx, h, inR, outW, time.Minute, logger)
		outW.Close()
		c.mu.Lock()
		c.err = err
		if c.err == nil {
			c.err = errors.New("the stdio server stopped")
		}
		c.mu.Unlock()
		close(c.done)
	}()
	go c.read(outR)
	return c
}

func (c *benchStdio) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return
		}
		var head struct {
			ID *int64 `json:"id"`
		}
		if json.Unmarshal(line, &head) != nil || head.ID == nil {
			continue // a notification
		}
		c.mu.Lock()
		ch := c.wait[*head.ID]
		delete(c.wait, *head.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- line
		}
	}
}

func (c *benchStdio) send(msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.in.Write(append(msg[:len(msg):len(msg)], '\n')); err != nil {
		return err
	}
	return nil
}

func (c *benchStdio) call(ctx context.Context, id int64, msg []byte) ([]byte, error) {
	ch := make(chan []byte, 1)
	c.mu.Lock()
	c.wait[id] = ch
	c.mu.Unlock()
	if err := c.send(msg); err != nil {
		return nil, err
	}
	select {
	case line := <-ch:
		return line, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return nil, c.err
	}
}

// close ends the server's input and waits for it to stop.
func (c *benchStdio) close() error {
	c.in.Close()
	<-c.done
	return nil
}
