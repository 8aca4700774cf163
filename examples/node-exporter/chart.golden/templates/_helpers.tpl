{{/* The labels every object of node-exporter carries, as compose2kube writes them. */}}
{{- define "node-exporter.labels" -}}
app.kubernetes.io/managed-by: compose2kube
app.kubernetes.io/part-of: node-exporter
{{- end }}
