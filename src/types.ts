/**
 * The data source's contract with its Go backend. Every JSON field name here
 * mirrors pkg/models/query.go and pkg/models/settings.go exactly; change them
 * only together.
 */
import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

// Query types (models.QueryType*), dispatched by the backend's QueryTypeMux.
export enum QueryType {
  Comparison = 'comparison',
  LiftOverTime = 'lift_over_time',
  ArmSeries = 'arm_series',
  TelemetryByArm = 'telemetry_by_arm',
  TelemetryBehaviour = 'telemetry_behaviour',
  Annotations = 'annotations',
  Variables = 'variables',
  Exploratory = 'exploratory',
  Health = 'health',
}

// What one number per row of an alerting comparison is (models.NumericValue*).
export enum NumericValue {
  Verdict = 'verdict',
  Decision = 'decision',
  Effect = 'effect',
  RelativeEffect = 'relative_effect',
  PValue = 'p_value',
  SRMPValue = 'srm_p_value',
}

// The effect's scale for lift over time (models.Scale*).
export enum Scale {
  Relative = 'relative',
  Absolute = 'absolute',
}

// What an arm-series query plots (models.Series*).
export enum Series {
  Metric = 'metric',
  Units = 'units',
}

// What a variables query lists (models.Variable*); also the editors' resources.
export enum Variable {
  Experiments = 'experiments',
  Metrics = 'metrics',
  Arms = 'arms',
  Segments = 'segments',
  Stages = 'stages',
}

// Annotation kinds (models.Annotation*).
export enum AnnotationKind {
  Stages = 'stages',
  Deployments = 'deployments',
  Verdicts = 'verdicts',
  Decisions = 'decisions',
  SRM = 'srm',
  Plans = 'plans',
  HumanDecisions = 'human_decisions',
  Health = 'health',
}

// Metric kinds and good directions of an exploratory metric.
export enum MetricKind {
  Conversion = 'conversion',
  Count = 'count',
  Mean = 'mean',
  Ratio = 'ratio',
}
export enum Direction {
  Increase = 'increase',
  Decrease = 'decrease',
}

/** An event, counted, or the sum of one of its properties (models.EventValue). */
export interface EventValue {
  event: string;
  property?: string;
}

/** An ad-hoc metric definition (models.ExploratoryMetric). */
export interface ExploratoryMetric {
  name?: string;
  kind: MetricKind | string;
  event?: string;
  property?: string;
  numerator?: EventValue;
  denominator?: EventValue;
  window?: string;
  direction?: Direction | string;
}

/** A comparison without a plan (models.ExploratoryQuery). */
export interface ExploratoryQuery {
  exposureEvent: string;
  experimentProperty: string;
  armProperty: string;
  unit?: string;
  control: string;
  arms: string[];
  weights?: Record<string, number>;
  metric: ExploratoryMetric;
}

/** The query model every query type reads (models.Query). */
export interface LiftgateQuery extends DataQuery {
  queryType?: QueryType;
  experiment?: string;
  metric?: string;
  arm?: string;
  segment?: string;
  bucket?: string;
  numericValue?: NumericValue;
  scale?: Scale;
  series?: Series;
  expr?: string;
  armLabel?: string;
  maxLag?: string;
  variable?: Variable;
  annotationKinds?: AnnotationKind[];
  exploratory?: ExploratoryQuery;
}

export const DEFAULT_QUERY: Partial<LiftgateQuery> = {
  queryType: QueryType.Comparison,
};

// Event store kinds (models.EventStore*).
export enum EventStore {
  Exporter = 'exporter',
  ClickHouse = 'clickhouse',
  Postgres = 'postgres',
}

// Prometheus authentication kinds (models.PrometheusAuth*).
export enum PrometheusAuth {
  None = 'none',
  Basic = 'basic',
  Bearer = 'bearer',
}

/** How to reach ClickHouse (models.ClickHouseSettings); secrets are in secureJsonData. */
export interface ClickHouseSettings {
  addr?: string;
  database?: string;
  user?: string;
  tls?: boolean;
  tlsCaFile?: string;
  tlsServerName?: string;
  tlsSkipVerify?: boolean;
}

/** How to reach PostgreSQL (models.PostgresSettings); secrets are in secureJsonData. */
export interface PostgresSettings {
  addr?: string;
  database?: string;
  user?: string;
  tlsMode?: string;
  tlsCaFile?: string;
}

/** Where events live in a SQL schema (models.MappingSettings). */
export interface MappingSettings {
  table?: string;
  idColumn?: string;
  eventColumn?: string;
  unitColumn?: string;
  timeColumn?: string;
  propertiesColumn?: string;
  properties?: string;
  exposureEvent?: string;
  exposureExperimentProperty?: string;
  exposureArmProperty?: string;
}

/** The data source's jsonData (models.Settings). */
export interface LiftgateSettings extends DataSourceJsonData {
  exporterUrl?: string;
  eventStore?: EventStore;
  clickhouse?: ClickHouseSettings;
  postgres?: PostgresSettings;
  mapping?: MappingSettings;
  prometheusUrl?: string;
  prometheusAuth?: PrometheusAuth;
  prometheusUser?: string;
  cacheTtl?: string;
  timeout?: string;
}

/**
 * The data source's secureJsonData (models.Secure*). Grafana stores these
 * encrypted; the frontend only learns whether each is set.
 */
export interface LiftgateSecureJsonData {
  exporterToken?: string;
  clickhousePassword?: string;
  clickhouseDsn?: string;
  postgresPassword?: string;
  postgresDsn?: string;
  prometheusPassword?: string;
  prometheusToken?: string;
}
