package pdk

import (
	"encoding/base64"

	"github.com/wasmcp/wasmcp/abi"
)

// Block is one MCP content block a tool sends beside its result: text, an
// image, audio, a link to a resource, or an embedded text resource. Make
// one with Text, Image, Audio, ResourceLink or EmbeddedText, and attach it
// with Call.Attach:
//
//	func chart(c *pdk.Call, a chartArgs) (summary, error) {
//		png := render(a)
//		c.Attach(pdk.Image("image/png", png), pdk.ResourceLink("https://example.com/data.csv", "data.csv", "text/csv"))
//		return summary{Points: len(a.Values)}, nil
//	}
//
// The tool's result (its JSON object) stays the primary answer: the host
// sends it as structuredContent and as the first text block, then the
// attached blocks in order. A tool whose result is nil and that declares no
// output schema (a Handler returning any) may answer with blocks only.
// The host scrubs every block and bounds it (see README.md, "Limits"):
// a block it cannot send makes the call a tool error that names it.
type Block struct{ b abi.ContentBlock }

// Text returns a text block.
func Text(text string) Block { return Block{abi.ContentBlock{Type: abi.BlockText, Text: text}} }

// Image returns an image block of data, whose MIME type is mimeType
// ("image/png", "image/jpeg"...). The host refuses an image above its
// size limit.
func Image(mimeType string, data []byte) Block {
	return Block{abi.ContentBlock{Type: abi.BlockImage, MIMEType: mimeType, Data: base64.StdEncoding.EncodeToString(data)}}
}

// Audio returns an audio block of data, whose MIME type is mimeType
// ("audio/wav", "audio/mpeg"...). The host refuses audio above its size
// limit.
func Audio(mimeType string, data []byte) Block {
	return Block{abi.ContentBlock{Type: abi.BlockAudio, MIMEType: mimeType, Data: base64.StdEncoding.EncodeToString(data)}}
}

// ResourceLink returns a link to a resource the client may fetch or show:
// uri is absolute ("https://github.com/octocat/hello/blob/main/README.md"),
// name names it for people, and mimeType, which may be "", says what it is.
func ResourceLink(uri, name, mimeType string) Block {
	return Block{abi.ContentBlock{Type: abi.BlockResourceLink, URI: uri, Name: name, MIMEType: mimeType}}
}

// EmbeddedText returns a text resource embedded in the result: its
// contents text, under the absolute uri, of MIME type mimeType
// ("text/markdown", "application/json").
func EmbeddedText(uri, mimeType, text string) Block {
	return Block{abi.ContentBlock{Type: abi.BlockResource, URI: uri, MIMEType: mimeType, Text: text}}
}

// WithTitle returns b with a title, for a resource link.
func (b Block) WithTitle(title string) Block { b.b.Title = title; return b }

// WithDescription returns b with a description, for a resource link.
func (b Block) WithDescription(d string) Block { b.b.Description = d; return b }

// Wire returns b as the ABI carries it.
func (b Block) Wire() abi.ContentBlock { return b.b }

// Attach adds blocks to the call's answer, after any attached before. They
// are sent only if the tool succeeds: a Handler that returns an error
// answers with its message alone.
func (c *Call) Attach(blocks ...Block) {
	for _, b := range blocks {
		c.blocks = append(c.blocks, b.b)
	}
}
