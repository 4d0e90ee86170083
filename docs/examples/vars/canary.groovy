// vars/canary.groovy in a shared library: a team's canary, one line in every Jenkinsfile.
//
//   @Library('delivery') _
//   canary service: 'shop', image: 'registry.example.com/shop'
//
// Everything a team agrees on once (cluster, Prometheus, steps, gates, router) lives here; a Jenkinsfile names
// only what differs. The step does the work: it holds no executor while the rollout waits, survives a controller
// restart, and rolls back by itself when a gate fails.

def call(Map args) {
    String service = args.service ?: error('canary: service is required')
    String version = args.version ?: env.GIT_COMMIT?.take(7) ?: env.BUILD_TAG
    String namespace = args.namespace ?: 'prod'

    def result = canaryDeploy(
        name: service,
        version: version,
        cluster: args.cluster ?: 'prod',
        namespace: namespace,
        deployment: args.deployment ?: service,
        image: args.image ?: "registry.example.com/${service}",
        ingress: args.ingress ?: service,
        steps: args.steps ?: '5,pause:2m,analysis:error-rate,25,pause:5m,analysis:error-rate+latency,75,pause:5m',
        prometheus: 'main',
        analysis: [
            [name: 'error-rate',
             query: "sum(rate(http_requests_total{service=\"${service}\",version=\"{{canary.version}}\",code=~\"5..\"}[1m]))" +
                    " / sum(rate(http_requests_total{service=\"${service}\",version=\"{{canary.version}}\"}[1m]))",
             successCondition: 'result < 0.01', failureCondition: 'result >= 0.05',
             interval: '30s', count: 4],
            [name: 'latency', judge: 'mannWhitney',
             canaryQuery: "histogram_quantile(0.99, sum by (le) (rate(http_duration_seconds_bucket{service=\"${service}\",version=\"{{canary.version}}\"}[1m])))",
             baselineQuery: "histogram_quantile(0.99, sum by (le) (rate(http_duration_seconds_bucket{service=\"${service}\",version=\"{{stable.version}}\"}[1m])))",
             range: '10m', step: '15s', direction: 'increase'],
        ],
        backgroundAnalysis: 'error-rate',
        onFailure: args.onFailure ?: 'rollback',
        snapshotStore: "s3://release-snapshots/${service}?endpoint=https://s3.example.com&region=eu-west-1",
        encryptionKeyCredentialsId: 'release-snapshot-key')

    echo "canary of ${service} ${version}: ${result.status} (verdict ${result.verdict}, snapshot ${result.snapshotId})"
    return result
}
