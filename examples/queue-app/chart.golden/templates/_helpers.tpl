{{/* The labels every object of queue-app carries, as compose2kube writes them. */}}
{{- define "queue-app.labels" -}}
app.kubernetes.io/managed-by: compose2kube
app.kubernetes.io/part-of: queue-app
{{- end }}
