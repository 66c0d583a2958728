package client

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimeWireForm(t *testing.T) {
	ts := Time{time.Date(2019, 3, 5, 18, 22, 33, 123456700, time.UTC)}
	b, err := json.Marshal(ts)
	if err != nil || string(b) != `"2019-03-05T18:22:33.1234567Z"` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	for _, in := range []string{`"2019-03-05T18:22:33.1234567Z"`, `"2019-03-05T18:22:33.1234567"`, `"2019-03-05T19:22:33.1234567+01:00"`} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(ts.Time) {
			t.Errorf("unmarshal %s = %v, %v", in, got, err)
		}
	}
	var z Time
	if err := json.Unmarshal([]byte(`null`), &z); err != nil || !z.IsZero() {
		t.Fatalf("null: %v %v", z, err)
	}
	if err := json.Unmarshal([]byte(`"yesterday"`), &z); err == nil {
		t.Fatal("a bad date must fail")
	}
}
