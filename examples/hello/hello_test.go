package main

import (
	"testing"

	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

func TestHello(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"name":"The Octocat","public_repos":8}`))
	got := pdktest.Content[greeting](t, h.Call(t, "hello", map[string]any{"login": "octocat"}))
	if got != (greeting{"The Octocat", 8, "Hello, The Octocat!"}) || h.Requests()[0].URL != "https://api.github.com/users/octocat" {
		t.Errorf("got %+v from %+v", got, h.Requests())
	}
	if res := h.Call(t, "hello", map[string]any{"login": "../admin"}); !res.IsError || len(h.Requests()) != 1 {
		t.Errorf("the host would refuse login ../admin; got %+v", res)
	}
}
