{{/* The labels every object of httpd-filebeat carries, as compose2kube writes them. */}}
{{- define "httpd-filebeat.labels" -}}
app.kubernetes.io/managed-by: compose2kube
app.kubernetes.io/part-of: httpd-filebeat
{{- end }}
