package inbox

import "errors"

// Errors of the inbox; the FUSE layer maps each to an errno.
var (
	// ErrBadInput: the entry cannot become a work item as it is (invalid
	// JSON, no WorkItem_Type, no environment, ...). Nothing was sent.
	ErrBadInput = errors.New("bad input")
	// ErrRefused: the server refused the work item (a 4xx); nothing was created.
	ErrRefused = errors.New("refused by the server")
	// ErrPending: the work item is not on the server yet (unreachable or
	// slow server); the submitter keeps trying in the background.
	ErrPending = errors.New("not on the server yet")
	// ErrBusy: the entry is being submitted or is already submitted, so its
	// data cannot change.
	ErrBusy = errors.New("entry is being submitted")
	// ErrExists: an entry of that name (or whose .error has that name) exists.
	ErrExists = errors.New("entry exists")
	// ErrNotFound: no such entry.
	ErrNotFound = errors.New("no such entry")
	// ErrBadName: the name cannot be an inbox entry.
	ErrBadName = errors.New("not a valid inbox name")
	// ErrNameTooLong: the entry's NAME.error would be longer than a file
	// name can be (255 bytes).
	ErrNameTooLong = errors.New("name too long for its .error file")
	// ErrClosed: the inbox is shut down.
	ErrClosed = errors.New("inbox closed")
)
