package pdk_test

import (
	"reflect"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/pdk"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

// Attached blocks travel in the result beside its content, in order, each
// as the ABI spells it.
func TestAttachBlocks(t *testing.T) {
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Attach(pdk.Text("hello"), pdk.Image("image/png", []byte{0x89, 'P', 'N', 'G'}))
		c.Attach(
			pdk.Audio("audio/wav", []byte("RIFF")),
			pdk.ResourceLink("https://example.com/a.csv", "a.csv", "text/csv").WithTitle("A").WithDescription("The data"),
			pdk.EmbeddedText("test://notes", "text/markdown", "# hi"),
		)
		return map[string]any{"n": 1}, nil
	})
	res := pdktest.NewHost(p, nil).Call(t, "t", nil)
	want := []abi.ContentBlock{
		{Type: abi.BlockText, Text: "hello"},
		{Type: abi.BlockImage, MIMEType: "image/png", Data: "iVBORw=="},
		{Type: abi.BlockAudio, MIMEType: "audio/wav", Data: "UklGRg=="},
		{Type: abi.BlockResourceLink, URI: "https://example.com/a.csv", Name: "a.csv", MIMEType: "text/csv", Title: "A", Description: "The data"},
		{Type: abi.BlockResource, URI: "test://notes", MIMEType: "text/markdown", Text: "# hi"},
	}
	if res.IsError || !reflect.DeepEqual(res.Blocks, want) {
		t.Errorf("blocks = %+v, want %+v", res.Blocks, want)
	}
	if res.Content["n"] == nil {
		t.Errorf("content = %v, want the handler's result beside the blocks", res.Content)
	}
}

// A failing tool answers with its message only: blocks attached before the
// failure are not sent.
func TestAttachDroppedOnError(t *testing.T) {
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Attach(pdk.Text("partial"))
		return nil, errString("it broke")
	})
	res := pdktest.NewHost(p, nil).Call(t, "t", nil)
	if want := (abi.CallResult{IsError: true, Message: "it broke"}); !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// A tool may answer with blocks and no result at all.
func TestBlocksOnly(t *testing.T) {
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Attach(pdk.Text("only this"))
		return nil, nil
	})
	res := pdktest.NewHost(p, nil).Call(t, "t", nil)
	if res.IsError || res.Content != nil || len(res.Blocks) != 1 || res.Blocks[0].Text != "only this" {
		t.Errorf("result = %+v, want one text block and no content", res)
	}
}

// pdktest refuses a block the host would refuse, with the host's words.
func TestPdktestRefusesBadBlock(t *testing.T) {
	p := testPlugin(func(c *pdk.Call) (any, error) {
		c.Attach(pdk.Image("text/html", []byte("<b>")))
		return nil, nil
	})
	res := pdktest.NewHost(p, nil).Call(t, "t", nil)
	want := `plugin "test" returned a result the host cannot send: content block 0 (image): its MIME type text/html is not an image/ type`
	if !res.IsError || res.Message != want {
		t.Errorf("result = %+v, want the error %q", res, want)
	}
}
