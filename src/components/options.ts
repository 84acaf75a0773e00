import { SelectableValue } from '@grafana/data';
import { ComboboxOption } from '@grafana/ui';

import { AnnotationKind, Direction, MetricKind, NumericValue, Scale, Series, Variable } from '../types';

/** Labels for the fixed vocabularies of the query model. */
export const NUMERIC_VALUE_OPTIONS: Array<ComboboxOption<NumericValue>> = [
  {
    value: NumericValue.Verdict,
    label: 'Verdict code',
    description: '0 beneficial, 1 inconclusive, 2 insufficient data, 3 harmful',
  },
  { value: NumericValue.Decision, label: 'Decision code', description: '0 proceed, 1 hold, 2 rollback' },
  { value: NumericValue.Effect, label: 'Effect', description: 'Absolute effect estimate per metric and arm' },
  {
    value: NumericValue.RelativeEffect,
    label: 'Relative effect',
    description: 'Lift; rows with a zero baseline are left out',
  },
  { value: NumericValue.PValue, label: 'p-value', description: 'Sequential p-value adjusted for multiple comparisons' },
  { value: NumericValue.SRMPValue, label: 'SRM p-value', description: "The sample-ratio check's p-value" },
];

export const SCALE_OPTIONS: Array<SelectableValue<Scale>> = [
  { value: Scale.Relative, label: 'Relative' },
  { value: Scale.Absolute, label: 'Absolute' },
];

export const SERIES_OPTIONS: Array<SelectableValue<Series>> = [
  { value: Series.Metric, label: 'Metric value' },
  { value: Series.Units, label: 'Units exposed' },
];

export const VARIABLE_OPTIONS: Array<ComboboxOption<Variable>> = [
  { value: Variable.Experiments, label: 'Experiments' },
  { value: Variable.Metrics, label: 'Metrics', description: "An experiment's metrics" },
  { value: Variable.Arms, label: 'Arms', description: "An experiment's arms" },
  { value: Variable.Segments, label: 'Segments', description: "An experiment's segment properties" },
  { value: Variable.Stages, label: 'Stages', description: "An experiment's rollout stages" },
];

export const ANNOTATION_KIND_OPTIONS: Array<ComboboxOption<AnnotationKind>> = [
  { value: AnnotationKind.Stages, label: 'Stage changes' },
  { value: AnnotationKind.Deployments, label: 'Deployment markers' },
  { value: AnnotationKind.Verdicts, label: 'Verdict changes' },
  { value: AnnotationKind.Decisions, label: 'Decision changes' },
  { value: AnnotationKind.SRM, label: 'SRM alarms' },
  { value: AnnotationKind.Plans, label: 'Plan changes (decision log)' },
  { value: AnnotationKind.HumanDecisions, label: 'Human decisions (decision log)' },
  { value: AnnotationKind.Health, label: 'Data-health warnings' },
];

export const METRIC_KIND_OPTIONS: Array<SelectableValue<MetricKind>> = [
  { value: MetricKind.Conversion, label: 'Conversion', description: 'Share of units with the event' },
  { value: MetricKind.Count, label: 'Count', description: 'Events per unit' },
  { value: MetricKind.Mean, label: 'Mean', description: "Mean of a property's sum per unit" },
  { value: MetricKind.Ratio, label: 'Ratio', description: 'Numerator over denominator, per arm' },
];

export const DIRECTION_OPTIONS: Array<SelectableValue<Direction>> = [
  { value: Direction.Increase, label: 'Increase is good' },
  { value: Direction.Decrease, label: 'Decrease is good' },
];
