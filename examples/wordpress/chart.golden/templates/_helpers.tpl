{{/* The labels every object of blog carries, as compose2kube writes them. */}}
{{- define "blog.labels" -}}
app.kubernetes.io/managed-by: compose2kube
app.kubernetes.io/part-of: blog
{{- end }}
