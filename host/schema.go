package host

// The tools' schemas: compiled once, when the plugin loads, and applied to
// every call, its arguments before the plugin runs and its result before
// the host answers. Compiling and validating is package toolschema's, which
// pdktest shares, so a plugin's own tests refuse what the host refuses.

import (
	"context"
	"fmt"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/toolschema"
)

// compileSchemas compiles the tools' input and output schemas, once
// checkDescriptor has bounded them, within schemaTimeout and ctx. Past
// either it gives up on them; the compilation, bounded by the descriptor's
// limits, finishes in the background.
func compileSchemas(parent context.Context, tools []abi.Tool) (map[string]toolschema.Tool, error) {
	ctx, cancel := context.WithTimeout(parent, schemaTimeout)
	defer cancel()
	type result struct {
		schemas map[string]toolschema.Tool
		err     error
	}
	done := make(chan result, 1)
	go func() {
		schemas := make(map[string]toolschema.Tool, len(tools))
		for _, t := range tools {
			if err := ctx.Err(); err != nil {
				done <- result{err: err} // the caller has gone
				return
			}
			s, err := toolschema.CompileTool(t)
			if err != nil {
				done <- result{err: err}
				return
			}
			schemas[t.Name] = s
		}
		done <- result{schemas: schemas}
	}()
	select {
	case r := <-done:
		return r.schemas, r.err
	case <-ctx.Done():
		if parent.Err() != nil {
			return nil, fmt.Errorf("loading was stopped while the schemas compiled: %w", context.Cause(parent))
		}
		return nil, fmt.Errorf("compiling the schemas took longer than %v, the host's limit: simplify them", schemaTimeout)
	}
}
