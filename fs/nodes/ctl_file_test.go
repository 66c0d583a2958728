package nodes

import (
	"testing"

	"github.com/compsfs/compsfs/client"
)

func TestCtlShowsStateAndValidCommands(t *testing.T) {
	cases := map[client.WorkItemState]string{
		client.StateCreated:   "state Created\ncommands: commission\n",
		client.StateRunning:   "state Running\ncommands: cancel\n",
		client.StateWaiting:   "state Waiting\ncommands: cancel\n",
		client.StateSucceeded: "state Succeeded\ncommands:\n",
		client.StateCanceling: "state Canceling\ncommands:\n",
	}
	for state, want := range cases {
		if got := string(renderCtl(state)); got != want {
			t.Errorf("renderCtl(%s) = %q, want %q", state, got, want)
		}
	}
}
