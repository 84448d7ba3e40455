package host

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/abi"
)

const contentSecret = "ya29AAAAsecretTokenBBBBCCCCDDDDE" // 32 characters: valid base64 as it is

func contentScrub(s string) string { return strings.ReplaceAll(s, contentSecret, "[REDACTED]") }

// A media block whose base64 text spells a secret (which its bytes do not)
// is replaced by the marker, as one whose bytes hold it is.
func TestScrubMedia(t *testing.T) {
	marker := base64.StdEncoding.EncodeToString([]byte("[REDACTED]"))
	for name, data := range map[string]string{
		"secret in the bytes":       base64.StdEncoding.EncodeToString([]byte("xx" + contentSecret + "yy")),
		"secret in the base64 text": contentSecret,
	} {
		if got := scrubMedia(data, contentScrub); got != marker {
			t.Errorf("%s: got %q; want the marker", name, got)
		}
	}
	clean := base64.StdEncoding.EncodeToString([]byte("just an image"))
	if got := scrubMedia(clean, contentScrub); got != clean {
		t.Errorf("clean data: got %q; want it unchanged", got)
	}
}

// Blocks are scrubbed before they are checked, and refused by the rules of
// internal/blockrules, with the block named.
func TestContentBlocksRefused(t *testing.T) {
	_, _, err := contentBlocks([]abi.ContentBlock{{Type: abi.BlockText, Text: "ok"}, {Type: abi.BlockResourceLink, URI: "javascript:" + contentSecret, Name: "x"}}, contentScrub)
	if err == nil || err.Error() != `content block 1 (resource_link): its URI has the scheme "javascript", which clients may run: link to the resource instead` {
		t.Errorf("err = %v", err)
	}
	_, _, err = contentBlocks(make([]abi.ContentBlock, 1000), contentScrub)
	if err == nil || !strings.Contains(err.Error(), "1000 content blocks, above the host's limit of 64") {
		t.Errorf("too many blocks: err = %v", err)
	}
}

// The structured result comes first, then the blocks, scrubbed; with no
// structured result, the blocks alone.
func TestRichResult(t *testing.T) {
	blocks := []abi.ContentBlock{{Type: abi.BlockText, Text: "a " + contentSecret}, {Type: abi.BlockResource, URI: "test://r", MIMEType: "text/plain", Text: contentSecret}}
	res, _, err := richResult(`{"ok":true}`, blocks, contentScrub)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Content) != 3 || res.StructuredContent == nil {
		t.Fatalf("content = %+v, want the result's text and two blocks, and structuredContent", res.Content)
	}
	if tc := res.Content[1].(mcp.TextContent); tc.Text != "a [REDACTED]" {
		t.Errorf("text block = %q", tc.Text)
	}
	if er := res.Content[2].(mcp.EmbeddedResource); er.Resource.(mcp.TextResourceContents).Text != "[REDACTED]" {
		t.Errorf("embedded resource = %+v", er.Resource)
	}
	res, _, err = richResult("", blocks[:1], contentScrub)
	if err != nil || len(res.Content) != 1 || res.StructuredContent != nil {
		t.Errorf("blocks only: %+v, %v", res, err)
	}
}
