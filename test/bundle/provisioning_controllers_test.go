package bundle

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/liftgate/liftgate/pkg/engine"
	"github.com/liftgate/liftgate/pkg/exporterclient"
)

// The structs below follow the controllers' CRDs (Argo Rollouts
// pkg/apis/rollouts/v1alpha1 analysis_types.go and types.go, Flagger
// pkg/apis/flagger/v1beta1 canary.go and metric.go), limited to the fields
// the examples may use. Strict decoding into them makes a misspelt or
// misplaced field fail here instead of being ignored by the controller.

type objectMeta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type typeHeader struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
}

type argoAnalysisTemplate struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		Args []struct {
			Name      string  `yaml:"name"`
			Value     *string `yaml:"value"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name string `yaml:"name"`
					Key  string `yaml:"key"`
				} `yaml:"secretKeyRef"`
				FieldRef *struct {
					FieldPath string `yaml:"fieldPath"`
				} `yaml:"fieldRef"`
			} `yaml:"valueFrom"`
		} `yaml:"args"`
		Metrics []struct {
			Name                    string `yaml:"name"`
			Interval                string `yaml:"interval"`
			InitialDelay            string `yaml:"initialDelay"`
			Count                   any    `yaml:"count"`
			SuccessCondition        string `yaml:"successCondition"`
			FailureCondition        string `yaml:"failureCondition"`
			FailureLimit            any    `yaml:"failureLimit"`
			InconclusiveLimit       any    `yaml:"inconclusiveLimit"`
			ConsecutiveErrorLimit   any    `yaml:"consecutiveErrorLimit"`
			ConsecutiveSuccessLimit any    `yaml:"consecutiveSuccessLimit"`
			Provider                struct {
				Prometheus *struct {
					Address  string `yaml:"address"`
					Query    string `yaml:"query"`
					Timeout  int    `yaml:"timeout"`
					Insecure bool   `yaml:"insecure"`
					Headers  []struct {
						Key   string `yaml:"key"`
						Value string `yaml:"value"`
					} `yaml:"headers"`
				} `yaml:"prometheus"`
				Web *struct {
					Method  string `yaml:"method"`
					URL     string `yaml:"url"`
					Headers []struct {
						Key   string `yaml:"key"`
						Value string `yaml:"value"`
					} `yaml:"headers"`
					Body           string `yaml:"body"`
					TimeoutSeconds int    `yaml:"timeoutSeconds"`
					JSONPath       string `yaml:"jsonPath"`
					Insecure       bool   `yaml:"insecure"`
				} `yaml:"web"`
			} `yaml:"provider"`
		} `yaml:"metrics"`
		DryRun []struct {
			MetricName string `yaml:"metricName"`
		} `yaml:"dryRun"`
		MeasurementRetention []struct {
			MetricName string `yaml:"metricName"`
			Limit      int    `yaml:"limit"`
		} `yaml:"measurementRetention"`
	} `yaml:"spec"`
}

type argoRollout struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		Replicas int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata objectMeta `yaml:"metadata"`
			Spec     struct {
				Containers []struct {
					Name  string   `yaml:"name"`
					Image string   `yaml:"image"`
					Args  []string `yaml:"args"`
					Env   []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					Ports []struct {
						Name          string `yaml:"name"`
						ContainerPort int    `yaml:"containerPort"`
						Protocol      string `yaml:"protocol"`
					} `yaml:"ports"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Strategy struct {
			Canary struct {
				CanaryService string `yaml:"canaryService"`
				StableService string `yaml:"stableService"`
				Steps         []struct {
					SetWeight *int `yaml:"setWeight"`
					Pause     *struct {
						Duration string `yaml:"duration"`
					} `yaml:"pause"`
					Analysis *argoRolloutAnalysis `yaml:"analysis"`
				} `yaml:"steps"`
				Analysis *struct {
					argoRolloutAnalysis `yaml:",inline"`
					StartingStep        int `yaml:"startingStep"`
				} `yaml:"analysis"`
			} `yaml:"canary"`
		} `yaml:"strategy"`
	} `yaml:"spec"`
}

type argoRolloutAnalysis struct {
	Templates []struct {
		TemplateName string `yaml:"templateName"`
		ClusterScope bool   `yaml:"clusterScope"`
	} `yaml:"templates"`
	Args []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"args"`
}

type flaggerMetricTemplate struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		Provider struct {
			Type      string `yaml:"type"`
			Address   string `yaml:"address"`
			SecretRef *struct {
				Name string `yaml:"name"`
			} `yaml:"secretRef"`
			InsecureSkipVerify bool `yaml:"insecureSkipVerify"`
		} `yaml:"provider"`
		Query string `yaml:"query"`
	} `yaml:"spec"`
}

type flaggerCanary struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		Provider      string         `yaml:"provider"`
		TargetRef     flaggerObjRef  `yaml:"targetRef"`
		AutoscalerRef *flaggerObjRef `yaml:"autoscalerRef"`
		IngressRef    *flaggerObjRef `yaml:"ingressRef"`
		Service       struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			PortName   string `yaml:"portName"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"service"`
		ProgressDeadlineSeconds int  `yaml:"progressDeadlineSeconds"`
		SkipAnalysis            bool `yaml:"skipAnalysis"`
		Analysis                struct {
			Interval            string `yaml:"interval"`
			Iterations          int    `yaml:"iterations"`
			Threshold           int    `yaml:"threshold"`
			MaxWeight           int    `yaml:"maxWeight"`
			StepWeight          int    `yaml:"stepWeight"`
			StepWeights         []int  `yaml:"stepWeights"`
			StepWeightPromotion int    `yaml:"stepWeightPromotion"`
			Metrics             []struct {
				Name              string            `yaml:"name"`
				Interval          string            `yaml:"interval"`
				TemplateRef       *flaggerObjRef    `yaml:"templateRef"`
				TemplateVariables map[string]string `yaml:"templateVariables"`
				ThresholdRange    *struct {
					Min *float64 `yaml:"min"`
					Max *float64 `yaml:"max"`
				} `yaml:"thresholdRange"`
				Query string `yaml:"query"`
			} `yaml:"metrics"`
			Webhooks []struct {
				Name      string            `yaml:"name"`
				Type      string            `yaml:"type"`
				URL       string            `yaml:"url"`
				Timeout   string            `yaml:"timeout"`
				Metadata  map[string]string `yaml:"metadata"`
				MuteAlert bool              `yaml:"muteAlert"`
				Retries   int               `yaml:"retries"`
			} `yaml:"webhooks"`
		} `yaml:"analysis"`
	} `yaml:"spec"`
}

type flaggerObjRef struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
	Namespace  string `yaml:"namespace"`
}

// controllerDocs decodes every document of the controller examples by kind.
type controllerDocs struct {
	analysisTemplates []argoAnalysisTemplate
	rollouts          []argoRollout
	metricTemplates   []flaggerMetricTemplate
	canaries          []flaggerCanary
}

func loadControllerDocs(t *testing.T) controllerDocs {
	t.Helper()
	var out controllerDocs
	files := append(globRepo(t, "provisioning/argo-rollouts/*.yaml"), globRepo(t, "provisioning/flagger/*.yaml")...)
	for _, path := range files {
		headers := decodeStrictYAMLLoose[typeHeader](t, path)
		for i, h := range headers {
			where := rel(t, path)
			switch h.APIVersion + " " + h.Kind {
			case "argoproj.io/v1alpha1 AnalysisTemplate":
				out.analysisTemplates = append(out.analysisTemplates, decodeStrictYAML[argoAnalysisTemplate](t, path)[i])
			case "argoproj.io/v1alpha1 Rollout":
				out.rollouts = append(out.rollouts, decodeStrictYAML[argoRollout](t, path)[i])
			case "flagger.app/v1beta1 MetricTemplate":
				out.metricTemplates = append(out.metricTemplates, decodeStrictYAML[flaggerMetricTemplate](t, path)[i])
			case "flagger.app/v1beta1 Canary":
				out.canaries = append(out.canaries, decodeStrictYAML[flaggerCanary](t, path)[i])
			default:
				t.Errorf("%s: document %d: %s %s is not a kind this check models", where, i+1, h.APIVersion, h.Kind)
			}
		}
	}
	return out
}

// decodeStrictYAMLLoose decodes every document into T without refusing
// unknown fields (to read the kind first).
func decodeStrictYAMLLoose[T any](t *testing.T, path string) []T {
	t.Helper()
	var out []T
	dec := yaml.NewDecoder(strings.NewReader(string(readFile(t, path))))
	for {
		var v T
		if err := dec.Decode(&v); err != nil {
			break
		}
		out = append(out, v)
	}
	return out
}

// argoArg and flaggerVar match the controllers' template placeholders.
var (
	argoArg    = regexp.MustCompile(`\{\{\s*args\.[A-Za-z0-9_.-]+\s*\}\}`)
	flaggerVar = regexp.MustCompile(`\{\{\s*(variables\.[A-Za-z0-9_]+|namespace|target|interval)\s*\}\}`)
	quoted     = regexp.MustCompile(`"([^"]*)"`)
)

// The Argo Rollouts examples: every template's PromQL parses once its
// arguments are filled, every argument it uses is declared, the web gate
// reads a field the exporter's gate answer has and compares it with the
// decisions the exporter makes, and the Rollout names templates that exist.
func TestArgoRolloutsExamples(t *testing.T) {
	docs := loadControllerDocs(t)
	if len(docs.analysisTemplates) == 0 {
		t.Fatal("no AnalysisTemplate in provisioning/argo-rollouts")
	}
	gateFields := jsonFieldNames(exporterclient.Gate{})
	actions := []string{engine.ActionProceed, engine.ActionHold, engine.ActionRollback}
	templates := map[string]bool{}
	for _, at := range docs.analysisTemplates {
		templates[at.Metadata.Name] = true
		declared := map[string]bool{}
		for _, a := range at.Spec.Args {
			declared[a.Name] = true
		}
		for _, m := range at.Spec.Metrics {
			where := at.Metadata.Name + "/" + m.Name
			var text string
			if p := m.Provider.Prometheus; p != nil {
				text = p.Query
				for _, e := range checkPromQL(argoArg.ReplaceAllString(p.Query, "x")) {
					t.Errorf("%s: %s", where, e)
				}
			}
			if w := m.Provider.Web; w != nil {
				text = w.URL
				if gate := strings.TrimSuffix(exporterclient.PathGate, "{id}"); !strings.Contains(w.URL, gate) {
					t.Errorf("%s: web url %q is not the exporter's gate endpoint %s", where, w.URL, exporterclient.PathGate)
				}
				field := strings.TrimSuffix(strings.TrimPrefix(w.JSONPath, "{$."), "}")
				if !slices.Contains(gateFields, field) {
					t.Errorf("%s: jsonPath %q reads %q, which the gate answer (exporterclient.Gate) does not have", where, w.JSONPath, field)
				}
				for _, cond := range []string{m.SuccessCondition, m.FailureCondition} {
					for _, q := range quoted.FindAllStringSubmatch(cond, -1) {
						if !slices.Contains(actions, q[1]) {
							t.Errorf("%s: condition %q compares with %q, which is not a decision (%v)", where, cond, q[1], actions)
						}
					}
				}
			}
			if text == "" {
				t.Errorf("%s: no prometheus or web provider", where)
			}
			if m.SuccessCondition == "" && m.FailureCondition == "" {
				t.Errorf("%s: no successCondition or failureCondition: every measurement would be inconclusive", where)
			}
			for _, ref := range argoArg.FindAllString(text, -1) {
				name := strings.TrimPrefix(strings.TrimSpace(strings.Trim(ref, "{}")), "args.")
				if !declared[name] {
					t.Errorf("%s: uses %s, which spec.args does not declare", where, ref)
				}
			}
		}
	}
	for _, r := range docs.rollouts {
		for i, s := range r.Spec.Strategy.Canary.Steps {
			if s.Analysis == nil {
				continue
			}
			for _, tpl := range s.Analysis.Templates {
				if !templates[tpl.TemplateName] {
					t.Errorf("Rollout %s step %d: template %q is not defined in provisioning/argo-rollouts", r.Metadata.Name, i, tpl.TemplateName)
				}
			}
		}
	}
}

// Flagger's webhook types, from pkg/apis/flagger/v1beta1 (HookType).
var flaggerHookTypes = []string{"pre-rollout", "rollout", "confirm-rollout", "confirm-traffic-increase",
	"confirm-promotion", "post-rollout", "rollback", "event"}

// The Flagger examples: MetricTemplate queries parse once their variables
// are filled; canary webhooks have known types and point at the exporter's
// gate for that type; metric checks name templates that exist and give
// every variable the template uses.
func TestFlaggerExamples(t *testing.T) {
	docs := loadControllerDocs(t)
	if len(docs.metricTemplates) == 0 || len(docs.canaries) == 0 {
		t.Fatal("provisioning/flagger needs a MetricTemplate and a Canary")
	}
	templateVars := map[string][]string{}
	for _, mt := range docs.metricTemplates {
		if mt.Spec.Provider.Type != "prometheus" {
			t.Errorf("MetricTemplate %s: provider %q, want prometheus", mt.Metadata.Name, mt.Spec.Provider.Type)
		}
		for _, e := range checkPromQL(flaggerVar.ReplaceAllString(mt.Spec.Query, "x")) {
			t.Errorf("MetricTemplate %s: %s", mt.Metadata.Name, e)
		}
		for _, m := range flaggerVar.FindAllStringSubmatch(mt.Spec.Query, -1) {
			if v, ok := strings.CutPrefix(m[1], "variables."); ok {
				templateVars[mt.Metadata.Name] = append(templateVars[mt.Metadata.Name], v)
			}
		}
		if _, ok := templateVars[mt.Metadata.Name]; !ok {
			templateVars[mt.Metadata.Name] = nil
		}
	}
	for _, c := range docs.canaries {
		for _, m := range c.Spec.Analysis.Metrics {
			where := "Canary " + c.Metadata.Name + " metric " + m.Name
			if m.TemplateRef == nil {
				continue
			}
			vars, ok := templateVars[m.TemplateRef.Name]
			if !ok {
				t.Errorf("%s: templateRef %q is not a MetricTemplate in provisioning/flagger", where, m.TemplateRef.Name)
			}
			for _, v := range vars {
				if _, set := m.TemplateVariables[v]; !set {
					t.Errorf("%s: the template uses variables.%s but templateVariables does not set it", where, v)
				}
			}
			if m.ThresholdRange == nil {
				t.Errorf("%s: no thresholdRange: the check could never fail", where)
			}
		}
		for _, h := range c.Spec.Analysis.Webhooks {
			where := "Canary " + c.Metadata.Name + " webhook " + h.Name
			if !slices.Contains(flaggerHookTypes, h.Type) {
				t.Errorf("%s: type %q is not one of Flagger's %v", where, h.Type, flaggerHookTypes)
			}
			if want := strings.Replace(exporterclient.PathFlaggerGate, "{hook}", h.Type, 1); !strings.HasSuffix(h.URL, want) {
				t.Errorf("%s: url %q does not end in %s, the exporter's gate for this hook type", where, h.URL, want)
			}
		}
	}
}
