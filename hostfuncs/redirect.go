package hostfuncs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects is how many redirects the host follows for one request.
const MaxRedirects = 5

// errTooManyRedirects ends a request whose redirects go on past MaxRedirects.
var errTooManyRedirects = errors.New("stopped after 5 redirects")

// exchange sends o and follows its redirects by hand (the client's
// CheckRedirect returns http.ErrUseLastResponse). A hop is followed only when
// its Location falls under one of the policy's effective targets; it then
// carries the token like the first request. Any other redirect is returned as
// is, Location and all, and its host is never contacted.
//
// Method and body change as net/http changes them: 301, 302 and 303 turn
// every method but GET and HEAD into a GET, and drop the body (and its
// Content-Type); 307 and 308 keep both.
//
// On success the caller must close the response body. hopURL is the URL of
// the last request sent, for messages and logs.
func (f *Funcs) exchange(ctx context.Context, c *Call, o *outgoing) (resp *http.Response, hopURL *url.URL, hops int, err error) {
	method, body, target, private := o.method, o.body, o.target, o.private
	bodyDropped := false
	for {
		req, err := http.NewRequestWithContext(withPrivateDial(ctx, private), method, target.String(), strings.NewReader(body))
		if err != nil {
			return nil, target, hops, err
		}
		if body == "" {
			req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
		}
		req.Header = o.header.Clone()
		if bodyDropped {
			req.Header.Del("Content-Type")
		}
		if c.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.Token)
		}
		resp, err := f.client.Do(req)
		if err != nil {
			return nil, target, hops, err
		}
		next, ok := redirectTarget(resp, target)
		if !ok {
			return resp, target, hops, nil
		}
		allowed, nextPrivate := c.Policy.isTarget(next)
		if !allowed {
			f.logRedirect(ctx, c, target, next)
			return resp, target, hops, nil
		}
		discardBody(resp)
		if hops == MaxRedirects {
			return nil, target, hops, errTooManyRedirects
		}
		hops++
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther:
			if method != http.MethodGet && method != http.MethodHead {
				method = http.MethodGet
			}
			bodyDropped = bodyDropped || body != ""
			body = ""
		}
		target, private = next, nextPrivate
	}
}

// redirectTarget returns the normalized URL a redirect response points to,
// or false when resp is not a redirect to follow.
func redirectTarget(resp *http.Response, base *url.URL) (*url.URL, bool) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, false
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, false
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, false
	}
	next, err := parseRequestURL(base.ResolveReference(ref).String())
	if err != nil {
		return nil, false
	}
	return next, true
}

// discardBody reads a little of a body the guest will not see, so the
// connection can be reused, and closes it.
func discardBody(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	_ = resp.Body.Close()
}
