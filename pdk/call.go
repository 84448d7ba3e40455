package pdk

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/wasmcp/wasmcp/abi"
)

// Call is one call of a tool: its arguments and the way out to the host.
// A Call is valid only while its Handler runs.
type Call struct {
	tool string
	args map[string]any
	// rawArgs, when set, are the arguments as the host sent them (a JSON
	// object); Args decodes them once, and args only on an error.
	rawArgs []byte
	host    Host
	// blocks are the content blocks attached to the answer (content.go),
	// and progress the state of Call.Progress (progress.go).
	blocks   []abi.ContentBlock
	progress progressState
}

// Tool returns the name of the tool being called.
func (c *Call) Tool() string { return c.tool }

// Args decodes the call's arguments into v, usually a pointer to a struct
// with json tags. An argument v has no field for is an error, as is a value
// of the wrong type (2.5 for an int); the error's text names the argument
// and says what it must be, in JSON's terms, not Go's, and is fit to return
// from the Handler as is:
//
//	invalid arguments for tool "list_github_repos": argument "page" must be an integer, got 1.5
//	invalid arguments for tool "list_github_repos": unknown argument "visibility"; the tool takes per_page, page and sort
//
// Use pointer fields to tell an absent argument from a zero one.
func (c *Call) Args(v any) error {
	b := c.rawArgs
	if b == nil {
		var err error
		if b, err = json.Marshal(c.args); err != nil {
			return fmt.Errorf("invalid arguments for tool %q: %v", c.tool, err)
		}
		if c.args == nil {
			b = []byte("{}")
		}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		if c.args == nil && c.rawArgs != nil {
			_ = json.Unmarshal(c.rawArgs, &c.args) // for the error's words only
		}
		return fmt.Errorf("invalid arguments for tool %q: %w", c.tool, argsError(c.args, v, err))
	}
	return nil
}

// Level is the severity of a log record.
type Level string

// Levels of Call.Log, as abi.LogRecord spells them.
const (
	LevelDebug Level = "debug"
	LevelInfo  Level = "info"
	LevelWarn  Level = "warn"
	LevelError Level = "error"
)

// Log writes msg to the host's log at level. The operator reads it; the model
// does not. Never log tokens or personal data.
func (c *Call) Log(level Level, msg string) {
	c.host.Log(abi.LogRecord{Level: string(level), Message: msg})
}
