package nodes

import (
	"context"
	"os"

	"github.com/compsfs/compsfs/fs/inbox"
)

// newInboxErrorFile is inbox/NAME.error: the entry's last error in one line,
// read-only, gone once the entry is done or cleared.
func newInboxErrorFile(m *Mount, e *inbox.Entry) *TextFile {
	return newTextFile(m, func(ctx context.Context) (text, error) {
		msg := e.ErrorText()
		if msg == "" {
			return text{}, os.ErrNotExist
		}
		return text{data: []byte(msg + "\n"), mtime: e.Manifest().Updated, volatile: true}, nil
	})
}
