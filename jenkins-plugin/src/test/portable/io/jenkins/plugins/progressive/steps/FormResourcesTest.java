package io.jenkins.plugins.progressive.steps;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.verb.POST;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The forms as Jenkins will load them: every config.jelly is well-formed and escapes by default, every field it shows
 * binds to a setter or constructor parameter and has its help, every step shows every parameter it takes, and every
 * form endpoint that answers requests is POST-only and checks permissions on the item it is called for.
 */
class FormResourcesTest {

    private static final String JELLY_HEADER = "<?jelly escape-by-default='true'?>";
    private static final Path RESOURCES = Path.of(System.getProperty("progressive.plugin.resources",
            "../jenkins-plugin/src/main/resources"));
    private static final Path SOURCES = Path.of(System.getProperty("progressive.plugin.sources",
            "../jenkins-plugin/src/main/java"));

    private static final Map<String, Class<? extends Step>> STEPS = Map.of(
            "canaryDeploy", CanaryDeployStep.class, "blueGreenSwitch", BlueGreenSwitchStep.class,
            "rollingUpdate", RollingUpdateStep.class, "snapshotState", SnapshotStateStep.class,
            "restoreState", RestoreStateStep.class, "promotionGate", PromotionGateStep.class,
            "promoteRollout", PromoteRolloutStep.class, "abortRollout", AbortRolloutStep.class,
            "rollbackRollout", RollbackRolloutStep.class);

    private static List<Path> jellies() throws IOException {
        try (Stream<Path> files = Files.walk(RESOURCES)) {
            return files.filter(p -> p.getFileName().toString().equals("config.jelly")).sorted().toList();
        }
    }

    private static Document xml(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    /** The class a resource folder belongs to: its path below the resources root, as a class name. */
    private static Class<?> owner(Path jelly) throws ClassNotFoundException {
        String name = RESOURCES.relativize(jelly.getParent()).toString().replace('/', '.');
        return Class.forName(name);
    }

    private static Set<String> fields(Document doc) {
        Set<String> fields = new LinkedHashSet<>();
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            String field = ((Element) all.item(i)).getAttribute("field");
            if (!field.isEmpty()) {
                fields.add(field);
            }
        }
        return fields;
    }

    private static Set<String> bindable(Class<?> type) {
        Set<String> names = new TreeSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(DataBoundSetter.class) && m.getName().startsWith("set")) {
                    names.add(Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4));
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(DataBoundSetter.class)) {
                    names.add(f.getName());
                }
            }
        }
        for (Constructor<?> constructor : type.getConstructors()) {
            if (constructor.isAnnotationPresent(DataBoundConstructor.class)) {
                for (Parameter p : constructor.getParameters()) {
                    names.add(p.getName());
                }
            }
        }
        return names;
    }

    @Test
    void everyFormIsWellFormedEscapesByDefaultAndHasHelpForEachBoundField() throws Exception {
        List<Path> jellies = jellies();
        assertThat(jellies).hasSizeGreaterThanOrEqualTo(STEPS.size() + 4 + 4);
        List<String> problems = new ArrayList<>();
        for (Path jelly : jellies) {
            String text = Files.readString(jelly, StandardCharsets.UTF_8);
            if (!text.startsWith(JELLY_HEADER)) {
                problems.add(jelly + ": does not start with " + JELLY_HEADER);
            }
            Set<String> bindable = bindable(owner(jelly));
            for (String field : fields(xml(jelly))) {
                if (!bindable.contains(field)) {
                    problems.add(jelly + ": field '" + field + "' has no @DataBoundSetter or constructor parameter");
                }
                Path help = jelly.resolveSibling("help-" + field + ".html");
                if (!Files.exists(help)) {
                    problems.add(jelly + ": field '" + field + "' has no " + help.getFileName());
                } else {
                    xml(help); // help is shown as HTML inside the page: it must be well-formed too
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyStepFormShowsEveryParameterTheStepTakes() throws Exception {
        for (Class<? extends Step> step : STEPS.values()) {
            Path jelly = RESOURCES.resolve(step.getName().replace('.', '/')).resolve("config.jelly");
            assertThat(fields(xml(jelly))).as(step.getSimpleName() + " (for the Snippet Generator)")
                    .containsExactlyInAnyOrderElementsOf(bindable(step));
            assertThat(jelly.resolveSibling("help.html")).exists();
        }
    }

    @Test
    void theStepsAreTheNineFunctionsWithANoArgumentDataBoundConstructor() throws Exception {
        for (Map.Entry<String, Class<? extends Step>> entry : STEPS.entrySet()) {
            Class<? extends Step> step = entry.getValue();
            assertThat(step.getConstructor().isAnnotationPresent(DataBoundConstructor.class)).isTrue();
            StepDescriptor descriptor = (StepDescriptor) Class.forName(step.getName() + "$DescriptorImpl")
                    .getConstructor().newInstance();
            assertThat(descriptor.getFunctionName()).isEqualTo(entry.getKey());
            assertThat(descriptor.getDisplayName()).isNotBlank();
            assertThat(Set.<Class<?>>copyOf(descriptor.getRequiredContext())).containsExactlyInAnyOrder(Run.class,
                    TaskListener.class);
            assertThat(descriptor.getClass().isAnnotationPresent(hudson.Extension.class)).isTrue();
        }
    }

    @Test
    void formEndpointsArePostOnlyAndCheckTheItemTheyAreCalledFor() throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> endpoints = new ArrayList<>();
        for (Class<?> type : pluginClasses()) {
            for (Method m : type.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())
                        || !(m.getName().startsWith("doCheck") || m.getName().startsWith("doFill"))) {
                    continue;
                }
                endpoints.add(type.getSimpleName() + "." + m.getName());
                if (!m.isAnnotationPresent(POST.class)) {
                    problems.add(type.getName() + "." + m.getName() + " is not @POST");
                }
                Parameter first = m.getParameterCount() > 0 ? m.getParameters()[0] : null;
                if (first == null || first.getType() != Item.class || !first.isAnnotationPresent(AncestorInPath.class)) {
                    problems.add(type.getName() + "." + m.getName() + " does not take @AncestorInPath Item first");
                }
            }
        }
        assertThat(endpoints).contains("ProgressiveStepDescriptor.doCheckSteps",
                "ProgressiveStepDescriptor.doFillEncryptionKeyCredentialsIdItems", "DescriptorImpl.doCheckQuery",
                "DescriptorImpl.doFillCredentialsIdItems");
        assertThat(problems).isEmpty();
    }

    private static List<Class<?>> pluginClasses() throws Exception {
        List<Class<?>> classes = new ArrayList<>();
        List<String> names;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            names = files.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> SOURCES.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", ""))
                    .collect(Collectors.toList());
        }
        for (String name : names) {
            Class<?> c = Class.forName(name);
            classes.add(c);
            classes.addAll(List.of(c.getDeclaredClasses()));
        }
        return classes;
    }
}
