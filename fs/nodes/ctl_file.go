package nodes

import (
	"context"
	"slices"
	"strings"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/compsfs/compsfs/client"
)

// The ctl file of a work item, read side. Reading it gives two lines:
//
//	state Running
//	commands: cancel
//
// the work item's state and the commands that are valid in that state, in
// the order they would be used: "commission" for a Created item, "cancel"
// for an active one (CommissionRequested, Commissioned, Validating, Running,
// Waiting, ResumeRequested, Resumed; protocol §6), none otherwise ("commands:"
// with nothing after it). Writing a command comes with the write side.

// activeStates are the states a cancel is valid in (protocol §6).
var activeStates = []client.WorkItemState{
	client.StateCommissionRequested, client.StateCommissioned, client.StateValidating, client.StateRunning,
	client.StateWaiting, client.StateResumeRequested, client.StateResumed,
}

// ctlCommands lists the ctl commands valid for a work item in state.
func ctlCommands(state client.WorkItemState) []string {
	switch {
	case state == client.StateCreated:
		return []string{"commission"}
	case slices.Contains(activeStates, state):
		return []string{"cancel"}
	}
	return nil
}

// renderCtl is the content of ctl for a work item in state.
func renderCtl(state client.WorkItemState) []byte {
	cmds := strings.Join(ctlCommands(state), " ")
	return []byte("state " + string(state) + "\ncommands:" + strings.TrimRight(" "+cmds, " ") + "\n")
}

// newCtlFile makes the ctl file of work item id.
func newCtlFile(m *Mount, id string) gofs.InodeEmbedder {
	return newTextFile(m, func(ctx context.Context) (text, error) {
		wi, err := m.cat.WorkItem(ctx, id)
		if err != nil {
			return text{}, err
		}
		return text{data: renderCtl(wi.State), mtime: wi.LastModified.Time, final: wi.State.Final()}, nil
	})
}
