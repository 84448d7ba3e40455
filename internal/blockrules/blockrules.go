// Package blockrules holds the one rule for the content blocks a plugin
// attaches to a result (abi.ContentBlock): which the host sends, and the
// fixed limits it holds them to. The host checks every block with it, after
// scrubbing; pdk/pdktest checks a tool's blocks with it too, so that a
// plugin whose tests pass is not refused in production.
package blockrules

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/safetext"
)

// Fixed limits on the blocks of one result. The host's cap on a whole
// answer as sent (4 MiB) comes on top.
const (
	// MaxBlocks caps the blocks of one result.
	MaxBlocks = 64
	// MaxMediaBytes caps the decoded bytes of one image or audio block.
	MaxMediaBytes = 1 << 20
	// MaxMIMEBytes caps a block's MIME type, MaxURIBytes its URI, and
	// MaxNameBytes a resource link's name and title.
	MaxMIMEBytes = 128
	MaxURIBytes  = 2 << 10
	MaxNameBytes = 256
	// MaxDescriptionBytes caps a resource link's description.
	MaxDescriptionBytes = 4 << 10
)

// activeSchemes are URI schemes a client might run or render as a page:
// no block may carry one.
var activeSchemes = map[string]bool{"javascript": true, "vbscript": true, "data": true}

// CheckAll checks the blocks of one result; the error names the first
// block at fault, by index and type.
func CheckAll(blocks []abi.ContentBlock) error {
	if len(blocks) > MaxBlocks {
		return fmt.Errorf("it attached %d content blocks, above the host's limit of %d", len(blocks), MaxBlocks)
	}
	for i, b := range blocks {
		if err := Check(b); err != nil {
			return fmt.Errorf("content block %d (%s): %w", i, safetext.Bounded(b.Type, 32), err)
		}
	}
	return nil
}

// Check checks one block: a known type, with the fields it needs, each
// within its limit and of its form.
func Check(b abi.ContentBlock) error {
	switch b.Type {
	case abi.BlockText:
		return nil
	case abi.BlockImage, abi.BlockAudio:
		if err := checkMIME(b.MIMEType, b.Type); err != nil {
			return err
		}
		_, err := DecodeMedia(b.Data)
		return err
	case abi.BlockResourceLink:
		if err := checkURI(b.URI); err != nil {
			return err
		}
		if err := checkLine("name", b.Name, MaxNameBytes, true); err != nil {
			return err
		}
		if err := checkLine("title", b.Title, MaxNameBytes, false); err != nil {
			return err
		}
		if len(b.Description) > MaxDescriptionBytes {
			return fmt.Errorf("its description takes %d bytes, above the limit of %d", len(b.Description), MaxDescriptionBytes)
		}
		if b.MIMEType != "" {
			return checkMIME(b.MIMEType, "")
		}
		return nil
	case abi.BlockResource:
		if err := checkURI(b.URI); err != nil {
			return err
		}
		return checkMIME(b.MIMEType, "")
	}
	return fmt.Errorf("unknown block type: use %s, %s, %s, %s or %s",
		abi.BlockText, abi.BlockImage, abi.BlockAudio, abi.BlockResourceLink, abi.BlockResource)
}

// DecodeMedia decodes the data of an image or audio block: standard,
// padded base64 of at most MaxMediaBytes bytes.
func DecodeMedia(data string) ([]byte, error) {
	if data == "" {
		return nil, fmt.Errorf("it has no data")
	}
	if n := base64.StdEncoding.DecodedLen(len(data)); n > MaxMediaBytes+2 {
		return nil, tooLarge(n)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("its data is not standard, padded base64: %v", err)
	}
	if len(raw) > MaxMediaBytes {
		return nil, tooLarge(len(raw))
	}
	return raw, nil
}

func tooLarge(n int) error {
	return fmt.Errorf("its data takes %d bytes, above the host's limit of %d for one image or audio block: send a smaller one, or a resource link to it", n, MaxMediaBytes)
}

// checkMIME checks a block's MIME type: a type/subtype, with parameters if
// any, of at most MaxMIMEBytes; of the top-level type kind ("image",
// "audio") unless kind is "".
func checkMIME(mt, kind string) error {
	if mt == "" {
		return fmt.Errorf("it has no MIME type")
	}
	if len(mt) > MaxMIMEBytes {
		return fmt.Errorf("its MIME type takes %d bytes, above the limit of %d", len(mt), MaxMIMEBytes)
	}
	base, _, err := mime.ParseMediaType(mt)
	if err != nil || !strings.Contains(base, "/") {
		return fmt.Errorf("its MIME type %s is not a type/subtype", safetext.Bounded(mt, MaxMIMEBytes))
	}
	if kind != "" && !strings.HasPrefix(base, kind+"/") {
		return fmt.Errorf("its MIME type %s is not an %s/ type", safetext.Bounded(mt, MaxMIMEBytes), kind)
	}
	return nil
}

// checkURI checks a block's URI: absolute, at most MaxURIBytes, printable,
// and of no scheme a client would run (javascript:, data:...).
func checkURI(uri string) error {
	if uri == "" {
		return fmt.Errorf("it has no URI")
	}
	if len(uri) > MaxURIBytes {
		return fmt.Errorf("its URI takes %d bytes, above the limit of %d", len(uri), MaxURIBytes)
	}
	if p, bad := safetext.Check(uri, false); bad {
		return fmt.Errorf("its URI holds %s", p)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("its URI %s is not an absolute URI", safetext.Bounded(uri, 128))
	}
	if activeSchemes[strings.ToLower(u.Scheme)] {
		return fmt.Errorf("its URI has the scheme %q, which clients may run: link to the resource instead", strings.ToLower(u.Scheme))
	}
	return nil
}

// checkLine checks a one-line field of a block: printable text of at most
// max bytes, present when required.
func checkLine(field, s string, max int, required bool) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("it has no %s", field)
	case len(s) > max:
		return fmt.Errorf("its %s takes %d bytes, above the limit of %d", field, len(s), max)
	}
	if p, bad := safetext.Check(s, false); bad {
		return fmt.Errorf("its %s holds %s", field, p)
	}
	return nil
}
