package toolschema

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/wasmcp/wasmcp/internal/safetext"
)

var printer = message.NewPrinter(language.English)

// Bounds of a validation error: it quotes the value checked (a client's
// arguments, a plugin's result) and the schema, so each part is escaped
// and clipped, and only the first few causes are listed.
const (
	maxCauses       = 8
	maxCauseBytes   = 256
	maxPointerBytes = 128
	maxSegmentBytes = 48
)

// Validate checks v, decoded JSON (numbers as float64 or json.Number),
// against s. A nil map is the empty object. The error reads well in a tool
// result: "at /per_page: minimum: got 0, want 1", one such cause per
// problem found.
func (s *Schema) Validate(v any) error {
	if m, ok := v.(map[string]any); ok && m == nil {
		v = map[string]any{}
	}
	doc, err := toJSONValue(v)
	if err != nil {
		return err
	}
	return explain(s.s.Validate(doc))
}

// ValidateDecoded checks v against s as Validate does, v being JSON
// decoded with numbers as json.Number (a decoder with UseNumber): the form
// the validator reads, so v is not encoded and decoded again.
func (s *Schema) ValidateDecoded(v any) error {
	if m, ok := v.(map[string]any); ok && m == nil {
		v = map[string]any{}
	}
	return explain(s.s.Validate(v))
}

// ValidateJSON checks the JSON document doc against s, as Validate does.
func (s *Schema) ValidateJSON(doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("it is not JSON: %v", err)
	}
	return explain(s.s.Validate(v))
}

// explain turns the validator's error into a bounded one-line error.
func explain(err error) error {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return errors.New(flatten(ve))
	}
	return err
}

// flatten lists the leaf causes as "at /pointer: message", without the
// schema URLs, which mean nothing to a model. The validator walks objects
// in map order; the causes are sorted by where they are, so that the same
// value always gets the same message.
func flatten(ve *jsonschema.ValidationError) string {
	type leaf struct {
		at string
		e  *jsonschema.ValidationError
	}
	var leaves []leaf
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, leaf{strings.Join(e.InstanceLocation, "\x00"), e})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.SortStableFunc(leaves, func(a, b leaf) int { return strings.Compare(a.at, b.at) })
	causes := make([]string, 0, min(len(leaves), maxCauses))
	for _, l := range leaves[:min(len(leaves), maxCauses)] {
		if ap, ok := l.e.ErrorKind.(*kind.AdditionalProperties); ok {
			slices.Sort(ap.Properties) // in map order too
		}
		msg := safetext.Bounded(l.e.ErrorKind.LocalizedString(printer), maxCauseBytes)
		causes = append(causes, "at "+pointer(l.e.InstanceLocation)+": "+msg)
	}
	out := strings.Join(causes, "; ")
	if n := len(leaves) - len(causes); n > 0 {
		out += fmt.Sprintf("; and %d more", n)
	}
	return out
}

// pointer is the JSON pointer of an instance location, each segment (a key
// of the value checked) escaped and clipped.
func pointer(loc []string) string {
	if len(loc) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, seg := range loc {
		seg = strings.NewReplacer("~", "~0", "/", "~1").Replace(seg)
		b.WriteString("/" + safetext.Bounded(seg, maxSegmentBytes))
		if b.Len() > maxPointerBytes {
			return safetext.Clip(b.String(), maxPointerBytes)
		}
	}
	return b.String()
}
