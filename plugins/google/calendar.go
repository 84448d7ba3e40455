package main

import (
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/wasmcp/wasmcp/pdk"
)

var listEventsTool = pdk.NewTool("list_calendar_events",
	"Lists the events of one of the connected user's Google calendars (primary by "+
		"default) that overlap a time range, recurring events expanded into their "+
		"occurrences, in order of start time: summary, start and end (dateTime, or date "+
		"for all-day events), location, description, status, organizer, attendees and "+
		"their responses, and the Meet link. Pass the returned next as page_token to get "+
		"the next page; there is no next on the last page.",
	listEvents, pdk.ReadOnly("Calendar events"))

type listEventsArgs struct {
	CalendarID *string `json:"calendar_id" minLength:"1" maxLength:"256" pattern:"^[^\\s/]+$" default:"primary" jsonschema:"The calendar's id (an email address for most), or primary, the user's own."`
	TimeMin    string  `json:"time_min" format:"date-time" maxLength:"40" jsonschema:"The range's start, RFC 3339 with an offset (2025-03-01T00:00:00Z): events that end after it."`
	TimeMax    *string `json:"time_max" format:"date-time" maxLength:"40" jsonschema:"The range's end, RFC 3339 with an offset: events that start before it. Open when absent."`
	Q          *string `json:"q" maxLength:"256" jsonschema:"Only events with these words in their summary, description, location or attendees."`
	MaxResults *int    `json:"max_results" minimum:"1" maximum:"100" default:"25" jsonschema:"Events per page, 1 to 100."`
	PageToken  *string `json:"page_token" maxLength:"1024" pattern:"^[\\x21-\\x7e]+$" jsonschema:"The next value of the previous page, to get the page that follows it."`
}

// eventTime is the start or end of an event: a dateTime, or a date for an
// all-day event.
type eventTime struct {
	Date     *string `json:"date"`
	DateTime *string `json:"dateTime"`
	TimeZone *string `json:"timeZone"`
}

type person struct {
	Email       *string `json:"email"`
	DisplayName *string `json:"displayName"`
	Self        *bool   `json:"self"`
}

type attendee struct {
	Email          *string `json:"email"`
	DisplayName    *string `json:"displayName"`
	ResponseStatus *string `json:"responseStatus" jsonschema:"needsAction, declined, tentative or accepted."`
	Optional       *bool   `json:"optional"`
	Organizer      *bool   `json:"organizer"`
	Self           *bool   `json:"self"`
	Resource       *bool   `json:"resource"`
}

// event is an Event resource as the tool returns it, under Calendar's
// names; the host selects these fields of each event.
type event struct {
	ID               string     `json:"id"`
	Status           *string    `json:"status" jsonschema:"confirmed, tentative or cancelled."`
	Summary          *string    `json:"summary"`
	Description      *string    `json:"description"`
	Location         *string    `json:"location"`
	HTMLLink         *string    `json:"htmlLink"`
	Start            eventTime  `json:"start"`
	End              eventTime  `json:"end"`
	Organizer        person     `json:"organizer"`
	Creator          person     `json:"creator"`
	Attendees        []attendee `json:"attendees"`
	HangoutLink      *string    `json:"hangoutLink"`
	RecurringEventID *string    `json:"recurringEventId"`
	EventType        *string    `json:"eventType"`
	Visibility       *string    `json:"visibility"`
	Transparency     *string    `json:"transparency"`
	Created          *string    `json:"created"`
	Updated          *string    `json:"updated"`
}

// eventsPage is the tool's result: Calendar's answer to events.list as the
// host selected it.
type eventsPage struct {
	Summary  *string `json:"summary" jsonschema:"The calendar's name."`
	TimeZone *string `json:"timeZone" jsonschema:"The calendar's time zone."`
	Items    []event `json:"items"`
	Next     *string `json:"next" select:"nextPageToken" jsonschema:"Pass as page_token to get the next page; absent on the last page."`
}

// eventsSelect keeps of each event (2 to 10 KB in full, with its
// conference data, reminders and attendees' details) the fields of event.
var eventsSelect = pdk.SelectOf(eventsPage{})

func listEvents(c *pdk.Call, a listEventsArgs) (pdk.Raw[eventsPage], error) {
	start, err := time.Parse(time.RFC3339, a.TimeMin)
	if err != nil {
		return nil, errors.New("time_min must be an RFC 3339 time with an offset, such as 2025-03-01T09:00:00Z or 2025-03-01T09:00:00-05:00")
	}
	q := url.Values{"timeMin": {a.TimeMin}, "singleEvents": {"true"}, "orderBy": {"startTime"}}
	if a.TimeMax != nil {
		end, err := time.Parse(time.RFC3339, *a.TimeMax)
		if err != nil {
			return nil, errors.New("time_max must be an RFC 3339 time with an offset, such as 2025-03-08T00:00:00Z")
		}
		if !end.After(start) {
			return nil, errors.New("time_max must be after time_min")
		}
		q.Set("timeMax", *a.TimeMax)
	}
	if a.Q != nil {
		q.Set("q", *a.Q)
	}
	n := 25
	if a.MaxResults != nil {
		n = *a.MaxResults
	}
	q.Set("maxResults", strconv.Itoa(n))
	if a.PageToken != nil {
		q.Set("pageToken", *a.PageToken)
	}
	cal := "primary"
	if a.CalendarID != nil {
		cal = *a.CalendarID
	}
	path, err := pdk.Path("calendars", cal, "events")
	if err != nil {
		return nil, err
	}
	t := target{what: "calendar " + strconv.Quote(cal), scope: scopeCalendar, base: calendarBase, path: path, query: q}
	resp, err := get(c, t, eventsSelect, nil)
	if err != nil {
		return nil, err
	}
	return pdk.Raw[eventsPage](resp.Raw()), nil
}
