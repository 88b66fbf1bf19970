package io.swarmgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the package dependency graph of the main sources acyclic: wiring (the root package with
 * {@code Main} and {@code Appliance}, {@code cli}, {@code server}) depends on domains, never the
 * other way round, and no two domains depend on each other. Edges come from the source text —
 * imports and fully qualified names outside comments and string literals — so the rule holds
 * without compiling anything and names the files that make each edge.
 */
class PackageCyclesTest {

    static final Path MAIN_SOURCES = Path.of("src/main/java");
    static final String BASE = "io.swarmgate";
    /** The name the root package {@code io.swarmgate} goes by in messages. */
    static final String ROOT = "root";

    /** A reference to a class in {@code io.swarmgate} or below: the package part is group 1. */
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.swarmgate((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z*])");
    private static final Pattern COMMENTS_AND_STRINGS = Pattern.compile(
            "/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])*'", Pattern.DOTALL);

    @Test
    void packagesDoNotDependOnEachOtherInACycle() {
        Map<String, Map<String, Set<String>>> graph = dependencies(MAIN_SOURCES);
        assertTrue(graph.size() > 5, "read the main sources from " + MAIN_SOURCES.toAbsolutePath());
        List<String> cycles = cycles(graph);
        if (!cycles.isEmpty()) {
            fail("import cycles between packages of " + BASE + ":\n  " + String.join("\n  ", cycles));
        }
    }

    @Test
    void domainsDoNotReachUpIntoTheWiring() {
        Map<String, Map<String, Set<String>>> graph = dependencies(MAIN_SOURCES);
        graph.forEach((from, edges) -> {
            if (!from.equals(ROOT)) {
                assertFalse(edges.containsKey(ROOT), from + " uses the root package: " + edges.get(ROOT));
                assertFalse(!from.equals("cli") && edges.containsKey("cli"), from + " uses cli: " + edges.get("cli"));
            }
        });
        Map<String, Set<String>> qoe = graph.getOrDefault("qoe", Map.of());
        assertFalse(qoe.containsKey("signaling"), "qoe uses signaling: " + qoe.get("signaling"));
        assertFalse(qoe.containsKey("server"), "qoe uses server: " + qoe.get("server"));
    }

    /** The checker itself: a cycle is found and named, an acyclic graph passes. */
    @Test
    void aCycleIsFoundAndNamedWithTheFilesThatMakeIt(@TempDir Path tree) throws IOException {
        write(tree, "Main.java", "package io.swarmgate;\nimport io.swarmgate.a.A;\nclass Main {}\n");
        write(tree, "a/A.java", "package io.swarmgate.a;\nimport io.swarmgate.b.B;\n"
                + "// io.swarmgate.c.C in a comment is no dependency\nclass A { String s = \"io.swarmgate.c.C\"; }\n");
        write(tree, "b/B.java", "package io.swarmgate.b;\nclass B { Object x = new io.swarmgate.a.A(); }\n");
        write(tree, "c/C.java", "package io.swarmgate.c;\nimport static io.swarmgate.Main.run;\nclass C {}\n");
        Map<String, Map<String, Set<String>>> graph = dependencies(tree.resolve("src/main/java"));
        assertEquals(Set.of("a"), graph.get(ROOT).keySet());
        assertEquals(Set.of("b"), graph.get("a").keySet());
        assertEquals(Set.of(ROOT), graph.get("c").keySet());
        assertEquals(List.of("[a, b]: a -> b (A.java) -> a (B.java)"), cycles(graph));

        write(tree, "b/B.java", "package io.swarmgate.b;\nclass B {}\n");
        assertEquals(List.of(), cycles(dependencies(tree.resolve("src/main/java"))));
    }

    private static void write(Path tree, String file, String content) throws IOException {
        Path path = tree.resolve("src/main/java/io/swarmgate").resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }

    /** package → (package it uses → the files that use it); packages named relative to {@link #BASE}. */
    static Map<String, Map<String, Set<String>>> dependencies(Path sources) {
        Path base = sources.resolve(BASE.replace('.', '/'));
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(base)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = name(base.relativize(file.getParent()).toString().replace('/', '.'));
                Map<String, Set<String>> edges = graph.computeIfAbsent(from, k -> new TreeMap<>());
                String code = COMMENTS_AND_STRINGS.matcher(Files.readString(file)).replaceAll(" ");
                Matcher m = REFERENCE.matcher(code);
                while (m.find()) {
                    String to = name(m.group(1).isEmpty() ? "" : m.group(1).substring(1));
                    if (!to.equals(from)) {
                        edges.computeIfAbsent(to, k -> new TreeSet<>()).add(file.getFileName().toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    private static String name(String relativePackage) {
        return relativePackage.isEmpty() ? ROOT : relativePackage;
    }

    /**
     * One cycle per strongly connected component of more than one package (Tarjan), written as
     * {@code [a, b]: a -> b (files in a that use b) -> a (files in b that use a)}.
     */
    static List<String> cycles(Map<String, Map<String, Set<String>>> graph) {
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : new Tarjan(graph).components) {
            if (component.size() > 1) {
                cycles.add(component + ": " + describe(graph, shortestCycle(graph, component)));
            }
        }
        return cycles;
    }

    /** The shortest path from the component's first package back to itself, inside the component. */
    private static List<String> shortestCycle(Map<String, Map<String, Set<String>>> graph, Set<String> component) {
        String start = component.iterator().next();
        Map<String, String> previous = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String node = queue.poll();
            for (String next : graph.getOrDefault(node, Map.of()).keySet()) {
                if (!component.contains(next) || previous.containsKey(next)) {
                    continue;
                }
                previous.put(next, node);
                if (next.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String n = start; ; n = previous.get(n)) {
                        path.add(0, n);
                        if (path.size() > 1 && n.equals(start)) {
                            return path;
                        }
                    }
                }
                queue.add(next);
            }
        }
        throw new IllegalStateException("no cycle in component " + component);
    }

    private static String describe(Map<String, Map<String, Set<String>>> graph, List<String> path) {
        StringBuilder s = new StringBuilder(path.get(0));
        for (int i = 1; i < path.size(); i++) {
            s.append(" -> ").append(path.get(i)).append(" (")
                    .append(String.join(", ", graph.get(path.get(i - 1)).get(path.get(i)))).append(")");
        }
        return s.toString();
    }

    /** Strongly connected components, each with its packages in name order. */
    private static final class Tarjan {
        final List<Set<String>> components = new ArrayList<>();
        private final Map<String, Map<String, Set<String>>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();

        Tarjan(Map<String, Map<String, Set<String>>> graph) {
            this.graph = graph;
            for (String node : graph.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.push(node);
            onStack.add(node);
            for (String next : graph.getOrDefault(node, Map.of()).keySet()) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                Set<String> component = new TreeSet<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                components.add(component);
            }
        }
    }
}
