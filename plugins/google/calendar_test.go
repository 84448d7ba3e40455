package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmcp/wasmcp/abi"
	"github.com/wasmcp/wasmcp/internal/payloads"
	"github.com/wasmcp/wasmcp/pdk/pdktest"
)

const wantEventsSelect = "{summary,timeZone,items:items.#.{id,status,summary,description,location,htmlLink," +
	"start:start.{date,dateTime,timeZone},end:end.{date,dateTime,timeZone}," +
	"organizer:organizer.{email,displayName,self},creator:creator.{email,displayName,self}," +
	"attendees:attendees.#.{email,displayName,responseStatus,optional,organizer,self,resource}," +
	"hangoutLink,recurringEventId,eventType,visibility,transparency,created,updated},next:nextPageToken}"

func TestListEvents(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, string(payloads.GoogleCalendarEvents)))
	res := h.Call(t, "list_calendar_events", map[string]any{
		"time_min": "2025-12-01T00:00:00-08:00", "time_max": "2025-12-15T00:00:00-08:00", "max_results": 50, "q": "budget", "page_token": "CigKGjRq"})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://www.googleapis.com/calendar/v3/calendars/primary/events?maxResults=50&orderBy=startTime" +
		"&pageToken=CigKGjRq&q=budget&singleEvents=true&timeMax=2025-12-15T00%3A00%3A00-08%3A00&timeMin=2025-12-01T00%3A00%3A00-08%3A00", Select: wantEventsSelect})
	page := pdktest.Content[eventsPage](t, res)

	// Every event the API sent, with the fields the tool keeps as it sent them.
	var raw struct {
		Items         []map[string]any `json:"items"`
		NextPageToken string           `json:"nextPageToken"`
	}
	json.Unmarshal(payloads.GoogleCalendarEvents, &raw)
	if len(page.Items) != 50 || page.Next == nil || *page.Next != raw.NextPageToken || *page.TimeZone != "America/Los_Angeles" {
		t.Fatalf("page: %d events, next %v", len(page.Items), page.Next)
	}
	allDay, withAttendees := 0, 0
	for i, ev := range page.Items {
		r := raw.Items[i]
		if ev.ID != r["id"] || *ev.Summary != r["summary"] || *ev.HTMLLink != r["htmlLink"] || *ev.Status != r["status"] {
			t.Errorf("event %d = %+v", i, ev)
		}
		start := r["start"].(map[string]any)
		if d, ok := start["date"]; ok {
			allDay++
			if ev.Start.Date == nil || *ev.Start.Date != d || ev.Start.DateTime != nil {
				t.Errorf("event %d: start %+v, want the date %v", i, ev.Start, d)
			}
		} else if ev.Start.DateTime == nil || *ev.Start.DateTime != start["dateTime"] {
			t.Errorf("event %d: start %+v, want %v", i, ev.Start, start)
		}
		if att, ok := r["attendees"].([]any); ok {
			withAttendees++
			if len(ev.Attendees) != len(att) || *ev.Attendees[0].ResponseStatus != att[0].(map[string]any)["responseStatus"] || *ev.HangoutLink != r["hangoutLink"] {
				t.Errorf("event %d: attendees %+v", i, ev.Attendees)
			}
		}
	}
	if allDay == 0 || withAttendees == 0 {
		t.Errorf("the payload has %d all-day events and %d with attendees; want some of each", allDay, withAttendees)
	}
	// Only the selected fields reach the result: no conference data, etags or reminders.
	b, _ := json.Marshal(res.Content)
	for _, no := range []string{"conferenceData", "etag", "reminders", "iCalUID"} {
		if strings.Contains(string(b), no) {
			t.Errorf("the result holds %s", no)
		}
	}
}

func TestListEventsCalendarAndLastPage(t *testing.T) {
	h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, `{"kind": "calendar#events", "summary": "Team", "timeZone": "UTC", "items": []}`))
	res := h.Call(t, "list_calendar_events", map[string]any{"calendar_id": "c_abc123@group.calendar.google.com", "time_min": "2025-12-01T00:00:00Z"})
	wantRequests(t, h, abi.HTTPRequest{URL: "https://www.googleapis.com/calendar/v3/calendars/c_abc123@group.calendar.google.com/events?maxResults=25&orderBy=startTime&singleEvents=true&timeMin=2025-12-01T00%3A00%3A00Z", Select: wantEventsSelect})
	want := map[string]any{"summary": "Team", "timeZone": "UTC", "items": []any{}}
	if !reflect.DeepEqual(res.Content, want) {
		t.Errorf("content = %v, want %v (no next on the last page)", res.Content, want)
	}
}

func TestListEventsArguments(t *testing.T) {
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{}, "missing property 'time_min'"},
		{map[string]any{"time_min": "2025-12-01"}, "time_min must be an RFC 3339 time"},
		{map[string]any{"time_min": "2025-12-01T00:00:00Z", "time_max": "tomorrow"}, "time_max must be an RFC 3339 time"},
		{map[string]any{"time_min": "2025-12-02T00:00:00Z", "time_max": "2025-12-01T00:00:00Z"}, "time_max must be after time_min"},
		{map[string]any{"time_min": "2025-12-01T00:00:00Z", "max_results": 101}, "at /max_results: maximum: got 101, want 100"},
		{map[string]any{"time_min": "2025-12-01T00:00:00Z", "calendar_id": "../users/me"}, "at /calendar_id: '../users/me' does not match pattern"},
		{map[string]any{"time_min": "2025-12-01T00:00:00Z", "calendar_id": ".."}, `path segment ".." is not allowed`},
		{map[string]any{"time_min": "2025-12-01T00:00:00Z", "page_token": "a b"}, "at /page_token: 'a b' does not match pattern"},
	} {
		h := pdktest.NewHost(plugin, pdktest.Reply(200, nil, "{}"))
		res := h.Call(t, "list_calendar_events", tt.args)
		if !res.IsError || !strings.Contains(res.Message, tt.want) || len(h.Requests()) != 0 {
			t.Errorf("%v: result %+v, want error %q and no request", tt.args, res, tt.want)
		}
	}
}

func TestListEventsErrors(t *testing.T) {
	testErrors(t, "list_calendar_events", map[string]any{"time_min": "2025-12-01T00:00:00Z", "calendar_id": "team@example.com"}, `calendar "team@example.com"`, scopeCalendar)
}
