{{/* The labels every object of backup-migration carries, as compose2kube writes them. */}}
{{- define "backup-migration.labels" -}}
app.kubernetes.io/managed-by: compose2kube
app.kubernetes.io/part-of: backup-migration
{{- end }}
