package host

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/hostfuncs"
	"github.com/wasmcp/wasmcp/internal/blockrules"
	"github.com/wasmcp/wasmcp/internal/toolschema"
)

// richResult builds the answer of a successful call whose guest attached
// blocks: the structured result first (structuredContent and its text), as
// for any result, then the blocks in order, each scrubbed and checked. text
// is the structured result's JSON; "" when there is none (no content and
// no output schema), and the answer is then the blocks alone. A block the
// host cannot send is an error naming it, for the model. The size returned
// is about what the answer takes as sent.
func richResult(text string, blocks []abi.ContentBlock, scrub func(string) string) (*mcp.CallToolResult, int, error) {
	content, n, err := contentBlocks(blocks, scrub)
	if err != nil {
		return nil, 0, err
	}
	if text == "" {
		return &mcp.CallToolResult{Content: content}, n, nil
	}
	res := mcp.NewToolResultStructured(json.RawMessage(text), text)
	res.Content = append(res.Content, content...)
	return res, n + sentBytes(text, true), nil
}

// contentBlocks turns a guest's blocks into MCP content: each scrubbed
// (scrubBlock), then checked by the rules pdktest checks too
// (internal/blockrules), then mapped to its MCP type.
func contentBlocks(blocks []abi.ContentBlock, scrub func(string) string) ([]mcp.Content, int, error) {
	clean := make([]abi.ContentBlock, len(blocks))
	for i, b := range blocks {
		if i == blockrules.MaxBlocks {
			break // CheckAll refuses them all
		}
		clean[i] = scrubBlock(b, scrub)
	}
	if err := blockrules.CheckAll(clean); err != nil {
		return nil, 0, err
	}
	out := make([]mcp.Content, 0, len(clean))
	n := 0
	for _, b := range clean {
		c, size := mcpContent(b)
		out = append(out, c)
		n += size + 32 // the block's keys and punctuation
	}
	return out, n, nil
}

// scrubBlock returns b with the call's secrets scrubbed from each string.
// The data of a media block is scrubbed too, decoded, and so is its base64
// text: data whose bytes or text spell a secret is replaced whole by the
// marker (base64 of hostfuncs.Redacted), since a secret cut out of an image
// would leave the rest to decode. Data that does not decode is left for
// blockrules to refuse.
func scrubBlock(b abi.ContentBlock, scrub func(string) string) abi.ContentBlock {
	b.Text, b.URI, b.Name, b.Title, b.Description = scrub(b.Text), scrub(b.URI), scrub(b.Name), scrub(b.Title), scrub(b.Description)
	b.MIMEType = scrub(b.MIMEType)
	if b.Data != "" {
		b.Data = scrubMedia(b.Data, scrub)
	}
	return b
}

// scrubMedia is scrubBlock's rule for the base64 data of a media block.
func scrubMedia(data string, scrub func(string) string) string {
	raw, err := blockrules.DecodeMedia(data)
	if err != nil {
		return data
	}
	if scrub(data) != data || scrub(string(raw)) != string(raw) {
		return redactedData
	}
	return data
}

var redactedData = base64.StdEncoding.EncodeToString([]byte(hostfuncs.Redacted))

// mcpContent is a checked block as MCP content, and about the bytes its
// fields take as sent.
func mcpContent(b abi.ContentBlock) (mcp.Content, int) {
	switch b.Type {
	case abi.BlockImage:
		return mcp.ImageContent{Type: "image", Data: b.Data, MIMEType: b.MIMEType}, len(b.Data) + len(b.MIMEType)
	case abi.BlockAudio:
		return mcp.AudioContent{Type: "audio", Data: b.Data, MIMEType: b.MIMEType}, len(b.Data) + len(b.MIMEType)
	case abi.BlockResourceLink:
		link := mcp.ResourceLink{Type: "resource_link", URI: b.URI, Name: b.Name, Title: b.Title, Description: b.Description, MIMEType: b.MIMEType}
		return link, sentBytes(b.URI, false) + sentBytes(b.Name, false) + sentBytes(b.Title, false) + sentBytes(b.Description, false) + len(b.MIMEType)
	case abi.BlockResource:
		res := mcp.EmbeddedResource{Type: "resource", Resource: mcp.TextResourceContents{URI: b.URI, MIMEType: b.MIMEType, Text: b.Text}}
		return res, sentBytes(b.URI, false) + len(b.MIMEType) + sentBytes(b.Text, false)
	}
	return mcp.TextContent{Type: "text", Text: b.Text}, sentBytes(b.Text, false)
}

// richAnswer is the answer of a successful call whose guest attached
// blocks (abi.CallResult.Blocks), once its Content is scrubbed: as any
// result, checked against the tool's output schema, then the blocks; the
// whole within maxResultBytes.
func richAnswer(pl *Plugin, tool string, cr abi.CallResult, scrub func(string) string) (*mcp.CallToolResult, string) {
	out := pl.schemas[tool].Out
	text := ""
	if cr.Content != nil || out != nil {
		if cr.Content == nil {
			cr.Content = map[string]any{}
		}
		b, _ := json.Marshal(cr.Content)
		text = string(b)
		if out != nil {
			if err := out.ValidateJSON(b); err != nil {
				return mcp.NewToolResultError(toolschema.ResultRefusal(pl.Name(), tool, err)), "invalid_result"
			}
		}
	}
	res, n, err := richResult(text, cr.Blocks, scrub)
	if err != nil {
		return mcp.NewToolResultError(fmt.Sprintf("plugin %q returned a result the host cannot send: %s", pl.Name(), err.Error())), "invalid_result"
	}
	if n > maxResultBytes {
		return resultTooLarge(pl, n), "output_too_large"
	}
	return res, "ok"
}
