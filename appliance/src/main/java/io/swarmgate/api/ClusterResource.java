package io.swarmgate.api;

import io.swarmgate.cluster.ClusterNodes;
import io.swarmgate.console.Role;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code /cluster}: the appliances serving viewers and which streams each holds, with the whole
 * cluster's viewer count. In cluster mode the appliances that published their figures to the shared
 * database recently (docs/scaling.md); with the embedded database just this appliance.
 */
public final class ClusterResource {

    private static final Schema NODE = Schema.object()
            .required("node", Schema.string())
            .required("url", Schema.string())
            .required("viewers", Schema.integer())
            .required("draining", Schema.bool())
            .required("self", Schema.bool())
            .required("updatedAtMs", Schema.integer())
            .required("streams", Schema.arrayOf(Schema.object()
                    .required("stream", Schema.string())
                    .required("viewers", Schema.integer())));

    private final Callable<List<ClusterNodes.Node>> nodes;
    private final Clock clock;

    /** @param clock the clock the rows' {@code updatedAtMs} come from, answered as {@code nowMs} */
    public ClusterResource(Callable<List<ClusterNodes.Node>> nodes, Clock clock) {
        this.nodes = nodes;
        this.clock = clock;
    }

    public List<Route> routes() {
        return List.of(Route.get("/cluster", Role.AUDITOR,
                        "The appliances of the cluster, the streams each holds and the viewers of all", r -> cluster())
                .returns(200, "appliances and the cluster's viewers", Schema.object()
                        .required("nowMs", Schema.integer().describe("this appliance's clock when it answered"
                                + " (ms since the epoch): a row's age is nowMs - updatedAtMs, whatever the"
                                + " reader's own clock says"))
                        .required("viewers", Schema.integer())
                        .required("appliances", Schema.arrayOf(NODE))));
    }

    private Map<String, Object> cluster() throws Exception {
        List<Map<String, Object>> appliances = new ArrayList<>();
        long viewers = 0;
        for (ClusterNodes.Node n : nodes.call()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("node", n.node());
            node.put("url", n.url());
            node.put("viewers", n.viewers());
            node.put("draining", n.draining());
            node.put("self", n.self());
            node.put("updatedAtMs", n.updatedAtMs());
            node.put("streams", n.streams().entrySet().stream()
                    .map(e -> Map.of("stream", e.getKey(), "viewers", e.getValue())).toList());
            appliances.add(node);
            viewers += n.viewers();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nowMs", clock.millis());
        out.put("viewers", viewers);
        out.put("appliances", appliances);
        return out;
    }
}
