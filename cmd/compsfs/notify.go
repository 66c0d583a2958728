package main

import (
	"fmt"
	"net"
	"os"
)

// systemdNotifier tells systemd about the mount's life (sd_notify(3)): a
// service of Type=notify is started once compsfs sends READY=1
// (docs/service.md). Without NOTIFY_SOCKET it does nothing.
type systemdNotifier struct{ socket string }

// newSystemdNotifier takes NOTIFY_SOCKET out of the environment, so that
// the commands the embedded local COMPS runs cannot speak for compsfs.
func newSystemdNotifier() *systemdNotifier {
	n := &systemdNotifier{socket: os.Getenv("NOTIFY_SOCKET")}
	os.Unsetenv("NOTIFY_SOCKET")
	return n
}

// notify sends one state, such as "READY=1", in one datagram. An address
// starting with '@' is an abstract socket; Go's net package maps the '@' to
// the leading NUL byte of such addresses.
func (n *systemdNotifier) notify(state string) error {
	if n.socket == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify systemd: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("notify systemd: %w", err)
	}
	return nil
}
