// Command rich is a test guest for rich results, progress and log
// forwarding. It writes the mock GitHub token (which a real guest could
// only get by a leak the host scrubs on the way in) into every kind of
// block, progress message and log record, so that the tests can check the
// host scrubs each on the way out; and it makes an image as large as asked,
// for the size limit.
package main

import (
	"strconv"

	"github.com/wasmcp/wasmcp/pdk"
)

// mockToken is the access token of --mock for provider github.
const mockToken = "gho_mockGitHubToken123456789"

type ok struct {
	OK bool `json:"ok"`
}

type sizeArgs struct {
	Bytes int `json:"bytes" minimum:"1" maximum:"8388608"`
}

type stepsArgs struct {
	Steps int `json:"steps" minimum:"1" maximum:"20"`
}

type tagArgs struct {
	Tag string `json:"tag"`
}

func blocks(c *pdk.Call, _ pdk.NoArgs) (ok, error) {
	c.Attach(
		pdk.Text("the token is "+mockToken),
		pdk.Image("image/png", []byte("PNG bytes "+mockToken)),
		pdk.Audio("audio/wav", []byte("RIFF....WAVE")),
		pdk.ResourceLink("https://example.com/files/"+mockToken, "file "+mockToken, "text/plain").WithTitle("A file"),
		pdk.EmbeddedText("test://notes/1", "text/markdown", "# Notes\n"+mockToken),
	)
	return ok{true}, nil
}

func bigImage(c *pdk.Call, a sizeArgs) (any, error) {
	c.Attach(pdk.Image("image/png", make([]byte, a.Bytes)))
	return nil, nil
}

func badBlock(c *pdk.Call, _ pdk.NoArgs) (any, error) {
	c.Attach(pdk.Image("text/html", []byte("<b>not an image</b>")))
	return nil, nil
}

func progress(c *pdk.Call, a stepsArgs) (ok, error) {
	for i := 1; i <= a.Steps; i++ {
		msg := "step " + strconv.Itoa(i)
		if i == 1 {
			msg += " " + mockToken
		}
		c.Progress(float64(i), float64(a.Steps), msg)
		c.Progress(float64(i), float64(a.Steps), "again") // not above the last: dropped
	}
	return ok{true}, nil
}

func logs(c *pdk.Call, a tagArgs) (ok, error) {
	c.Log(pdk.LevelDebug, a.Tag+" debug")
	c.Log(pdk.LevelInfo, a.Tag+" info "+mockToken)
	c.Log(pdk.LevelWarn, a.Tag+" warn")
	c.Log(pdk.LevelError, a.Tag+" error")
	return ok{true}, nil
}

func init() {
	pdk.Register(pdk.Plugin{
		Name:     "rich",
		Version:  "0.0.1",
		Provider: "github",
		Hosts:    []string{"https://api.github.com"},
		Tools: []pdk.Tool{
			pdk.NewTool("rich_blocks", "Answers with one block of each kind.", blocks),
			pdk.NewTool("rich_big_image", "Answers with an image of the given size.", bigImage),
			pdk.NewTool("rich_bad_block", "Answers with an image block of a text MIME type.", badBlock),
			pdk.NewTool("rich_progress", "Reports progress steps times.", progress),
			pdk.NewTool("rich_logs", "Logs one record at each level.", logs),
		},
	})
}

func main() {}
