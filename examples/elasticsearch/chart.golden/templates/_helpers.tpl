{{/* The labels every object of elasticsearch carries, as compose2kube writes them. */}}
{{- define "elasticsearch.labels" -}}
app.kubernetes.io/managed-by: compose2kube
app.kubernetes.io/part-of: elasticsearch
{{- end }}
