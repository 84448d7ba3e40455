// Command hello is a whole plugin: one argument, one GET, a typed result.
package main

import "github.com/wasmcp/wasmcp/pdk"

var api = pdk.NewClient("GitHub", "https://api.github.com")

type helloArgs struct {
	Login string `json:"login" pattern:"^[A-Za-z0-9-]{1,39}$" jsonschema:"A GitHub login."`
}

type greeting struct {
	Name     string `json:"name"`
	Repos    int    `json:"public_repos"`
	Greeting string `json:"greeting"`
}

func hello(c *pdk.Call, a helloArgs) (g greeting, err error) {
	if _, err = api.Get(c, "/users/"+a.Login, &g); err == nil { // the pattern keeps it one segment
		g.Greeting = "Hello, " + g.Name + "!"
	}
	return g, err
}

var plugin = pdk.Plugin{Name: "hello", Version: "0.1.0", Provider: "github", Hosts: []string{"https://api.github.com"},
	Tools: []pdk.Tool{pdk.NewTool("hello", "Greets a GitHub user by name.", hello, pdk.ReadOnly("Hello"))}}

func init() { pdk.Register(plugin) }

func main() {}
