package client

import "testing"

func TestMD5ToUUID(t *testing.T) {
	got, err := MD5ToUUID("d41d8cd98f00b204e9800998ecf8427e")
	if err != nil || got != "d41d8cd9-8f00-b204-e980-0998ecf8427e" {
		t.Fatalf("MD5ToUUID = %q, %v", got, err)
	}
	back, err := MD5Hex("D41D8CD9-8F00-B204-E980-0998ECF8427E")
	if err != nil || back != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Fatalf("MD5Hex = %q, %v", back, err)
	}
	for _, bad := range []string{"", "d41d8cd98f00b204e9800998ecf8427", "zz1d8cd98f00b204e9800998ecf8427e"} {
		if _, err := MD5ToUUID(bad); err == nil {
			t.Errorf("MD5ToUUID(%q) must fail", bad)
		}
	}
}
