package blockrules

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
)

// Each block the host cannot send is refused with a reason naming it.
func TestCheckRefuses(t *testing.T) {
	img := base64.StdEncoding.EncodeToString([]byte("png"))
	for _, tt := range []struct {
		block abi.ContentBlock
		want  string
	}{
		{abi.ContentBlock{Type: "video"}, "content block 0 (video): unknown block type"},
		{abi.ContentBlock{Type: abi.BlockImage, Data: img}, "it has no MIME type"},
		{abi.ContentBlock{Type: abi.BlockImage, MIMEType: "image", Data: img}, "is not a type/subtype"},
		{abi.ContentBlock{Type: abi.BlockAudio, MIMEType: "image/png", Data: img}, "is not an audio/ type"},
		{abi.ContentBlock{Type: abi.BlockImage, MIMEType: "image/png"}, "it has no data"},
		{abi.ContentBlock{Type: abi.BlockImage, MIMEType: "image/png", Data: "a!=="}, "not standard, padded base64"},
		{abi.ContentBlock{Type: abi.BlockImage, MIMEType: "image/png", Data: base64.StdEncoding.EncodeToString(make([]byte, MaxMediaBytes+1))}, "above the host's limit of 1048576"},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "javascript:alert(1)", Name: "x"}, `the scheme "javascript"`},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "DATA:text/html,hi", Name: "x"}, `the scheme "data"`},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "/relative", Name: "x"}, "not an absolute URI"},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "https://x.example/\n", Name: "x"}, "its URI holds U+000A"},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "https://x.example/", Name: "a\x1b[2Jb"}, "its name holds U+001B"},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "https://x.example/"}, "it has no name"},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "https://x.example/", Name: "x", Title: strings.Repeat("t", MaxNameBytes+1)}, "its title takes 257 bytes"},
		{abi.ContentBlock{Type: abi.BlockResourceLink, URI: "https://x.example/", Name: "x", Description: strings.Repeat("d", MaxDescriptionBytes+1)}, "its description takes"},
		{abi.ContentBlock{Type: abi.BlockResource, URI: "test://r", Text: "t"}, "it has no MIME type"},
		{abi.ContentBlock{Type: abi.BlockResource, URI: "https://x.example/" + strings.Repeat("a", MaxURIBytes), MIMEType: "text/plain"}, "above the limit of 2048"},
	} {
		err := CheckAll([]abi.ContentBlock{tt.block})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+.80v: err = %v, want one saying %q", tt.block, err, tt.want)
		}
	}
	if err := CheckAll(make([]abi.ContentBlock, MaxBlocks+1)); err == nil || !strings.Contains(err.Error(), "above the host's limit of 64") {
		t.Errorf("too many blocks: err = %v", err)
	}
}

// Blocks of every type, at their limits, pass.
func TestCheckAccepts(t *testing.T) {
	blocks := []abi.ContentBlock{
		{Type: abi.BlockText, Text: "any text\nat all"},
		{Type: abi.BlockImage, MIMEType: "image/svg+xml", Data: base64.StdEncoding.EncodeToString(make([]byte, MaxMediaBytes))},
		{Type: abi.BlockAudio, MIMEType: "audio/wav", Data: base64.StdEncoding.EncodeToString([]byte("RIFF"))},
		{Type: abi.BlockResourceLink, URI: "https://github.com/o/r/blob/main/README.md", Name: "README.md", Title: "Read me", MIMEType: "text/markdown; charset=utf-8"},
		{Type: abi.BlockResource, URI: "test://embedded-resource", MIMEType: "text/plain", Text: "hi"},
	}
	if err := CheckAll(blocks); err != nil {
		t.Error(err)
	}
}
