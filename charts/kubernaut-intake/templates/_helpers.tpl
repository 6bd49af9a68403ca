{{/* Chart name, overridable. */}}
{{- define "kubernaut-intake.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name when it already contains the chart name. */}}
{{- define "kubernaut-intake.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kubernaut-intake.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubernaut-intake.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The recommended app.kubernetes.io/* labels, without component. */}}
{{- define "kubernaut-intake.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kubernaut-intake.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kubernaut
{{- end }}

{{/* Labels of the operator's own objects and pods. */}}
{{- define "kubernaut-intake.labels" -}}
{{ include "kubernaut-intake.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels of the monitoring objects (ServiceMonitor, PrometheusRule, dashboard). */}}
{{- define "kubernaut-intake.monitoringLabels" -}}
{{ include "kubernaut-intake.commonLabels" . }}
app.kubernetes.io/component: monitoring
{{- end }}

{{- define "kubernaut-intake.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubernaut-intake.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kubernaut-intake.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The listeners' ports as the operator reads them from config.yaml (config.intake.port,
config.health.port, config.metrics.port), with the operator's own defaults, so that the container
ports, probes and NetworkPolicy always follow the configuration.
*/}}
{{- define "kubernaut-intake.intakePort" -}}
{{- dig "intake" "port" 8080 .Values.config | int }}
{{- end }}
{{- define "kubernaut-intake.healthPort" -}}
{{- dig "health" "port" 8081 .Values.config | int }}
{{- end }}
{{- define "kubernaut-intake.metricsPort" -}}
{{- dig "metrics" "port" 9090 .Values.config | int }}
{{- end }}

{{/* The Secret holding the intake's TLS certificate. */}}
{{- define "kubernaut-intake.tlsSecretName" -}}
{{- .Values.tls.secretName | default (printf "%s-tls" (include "kubernaut-intake.fullname" .)) -}}
{{- end -}}
