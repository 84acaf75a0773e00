package models

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestLoadQueryChecksWhatEachTypeNeeds(t *testing.T) {
	for _, tc := range []struct {
		queryType, json string
		field, text     string // empty field: valid
	}{
		{QueryTypeComparison, `{"experiment":"e"}`, "", ""},
		{QueryTypeComparison, `{}`, FieldExperiment, "is required"},
		{QueryTypeComparison, `{"experiment":"e","numericValue":"median"}`, FieldNumericValue, `"median" is not one of`},
		{QueryTypeComparison, `{"experiment":"e","bucket":"0s"}`, FieldBucket, "must be positive"},
		{QueryTypeComparison, `{"experiment":"e","bucket":"soon"}`, FieldBucket, "expected a duration"},
		{QueryTypeLiftOverTime, `{"experiment":"e","scale":"log"}`, FieldScale, "is not one of"},
		{QueryTypeLiftOverTime, `{"experiment":"e","bucket":"1d"}`, "", ""},
		{QueryTypeArmSeries, `{"experiment":"e"}`, FieldMetric, "is required"},
		{QueryTypeArmSeries, `{"experiment":"e","series":"units"}`, "", ""},
		{QueryTypeArmSeries, `{"experiment":"e","series":"rates"}`, FieldSeries, "is not one of"},
		{QueryTypeTelemetryByArm, `{"experiment":"e"}`, FieldExpr, "is required"},
		{QueryTypeTelemetryByArm, `{"experiment":"e","metric":"p99"}`, "", ""},
		{QueryTypeTelemetryBehaviour, `{"experiment":"e","expr":"up"}`, FieldMetric, "is required"},
		{QueryTypeTelemetryBehaviour, `{"experiment":"e","expr":"up","metric":"m","maxLag":"-5m"}`, FieldMaxLag, "must not be negative"},
		{QueryTypeAnnotations, `{"experiment":"e","annotationKinds":["stages","comments"]}`, FieldAnnotationKinds, `"comments" is not one of`},
		{QueryTypeAnnotations, `{"experiment":"e","annotationKinds":["human_decisions","plans","health"]}`, "", ""},
		{QueryTypeHealth, `{}`, FieldExperiment, "is required"},
		{QueryTypeHealth, `{"experiment":"e"}`, "", ""},
		{QueryTypeVariables, `{"variable":"experiments"}`, "", ""},
		{QueryTypeVariables, `{"variable":"arms"}`, FieldExperiment, "is required"},
		{QueryTypeVariables, `{"variable":"colours","experiment":"e"}`, FieldVariable, "is not one of"},
		{QueryTypeExploratory, `{"experiment":"e"}`, FieldExploratory, "is required"},
		{QueryTypeExploratory, `{"experiment":"e","exploratory":{"exposureEvent":"x","experimentProperty":"p","armProperty":"a","control":"c","arms":["c"],"metric":{"kind":"conversion"}}}`, "exploratory.arms", "needs at least two arms"},
		{QueryTypeExploratory, `{"experiment":"e","exploratory":{"exposureEvent":"x","experimentProperty":"p","armProperty":"a","control":"z","arms":["c","t"],"metric":{"kind":"conversion"}}}`, "exploratory.control", `"z" is not one of the arms`},
		{QueryTypeExploratory, `{"experiment":"e","exploratory":{"exposureEvent":"x","experimentProperty":"p","armProperty":"a","control":"c","arms":["c","t"],"metric":{"kind":"conversion","window":"-1h"}}}`, "exploratory.metric.window", "must be positive"},
		{"sql", `{"experiment":"e"}`, FieldQueryType, `"sql" is not one of`},
		{QueryTypeComparison, `{"experiment":["e"]}`, "", "is not valid JSON for this data source"},
	} {
		_, err := LoadQuery(backend.DataQuery{QueryType: tc.queryType, JSON: []byte(tc.json)})
		if tc.field == "" && tc.text == "" {
			if err != nil {
				t.Errorf("%s %s: %v", tc.queryType, tc.json, err)
			}
			continue
		}
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Field != tc.field || !strings.Contains(qe.Message, tc.text) {
			t.Errorf("%s %s: got %v, want field %q saying %q", tc.queryType, tc.json, err, tc.field, tc.text)
		}
	}
}

func TestDurationsParse(t *testing.T) {
	q := Query{Bucket: "1d", MaxLag: "90m"}
	b, err := q.BucketDuration()
	if err != nil || b != 24*time.Hour {
		t.Errorf("bucket 1d: %s %v", b, err)
	}
	l, err := q.MaxLagDuration()
	if err != nil || l != 90*time.Minute {
		t.Errorf("maxLag 90m: %s %v", l, err)
	}
}

// Whatever arrives as a query, loading it never panics and every refusal
// is a QueryError naming what is wrong.
func FuzzLoadQuery(f *testing.F) {
	for _, seed := range []struct{ queryType, json string }{
		{QueryTypeComparison, `{"experiment":"checkout-v2","numericValue":"verdict"}`},
		{QueryTypeLiftOverTime, `{"experiment":"e","bucket":"6h","scale":"absolute"}`},
		{QueryTypeExploratory, `{"experiment":"e","exploratory":{"exposureEvent":"x","experimentProperty":"p","armProperty":"a","control":"c","arms":["c","t"],"metric":{"kind":"ratio","numerator":{"event":"a"},"window":"7d"}}}`},
		{QueryTypeAnnotations, `{"experiment":"e","annotationKinds":["srm"]}`},
		{QueryTypeHealth, `{"experiment":"checkout-v2"}`},
		{QueryTypeTelemetryBehaviour, `{"experiment":"e","expr":"sum(up)","metric":"m","maxLag":"1h"}`},
		{"", `null`},
		{QueryTypeVariables, `{"variable":"experiments","bucket":"1e309h"}`},
	} {
		f.Add(seed.queryType, []byte(seed.json))
	}
	f.Fuzz(func(t *testing.T, queryType string, raw []byte) {
		q, err := LoadQuery(backend.DataQuery{QueryType: queryType, JSON: raw})
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Message == "" {
				t.Fatalf("refusal is not a QueryError with a message: %#v", err)
			}
			return
		}
		if q == nil {
			t.Fatal("no error and no query")
		}
		if d, err := q.BucketDuration(); err != nil || d < 0 {
			t.Fatalf("accepted a bad bucket %q: %v %v", q.Bucket, d, err)
		}
	})
}
