package io.jenkins.plugins.progressive.configuration;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import hudson.model.Item;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import jenkins.model.Jenkins;

/**
 * Permission checks shared by every form endpoint. A form inside a job checks the job's permissions; a form of the
 * global configuration (no item) needs Overall/Administer.
 */
public final class FormAccess {

    private FormAccess() {
    }

    /** May the current user configure {@code item} (or Jenkins itself, when {@code item} is null)? */
    public static boolean mayConfigure(Item item) {
        return item == null ? Jenkins.get().hasPermission(Jenkins.ADMINISTER) : item.hasPermission(Item.CONFIGURE);
    }

    public static FormValidation toValidation(Optional<String> problem) {
        return problem.map(FormValidation::error).orElseGet(FormValidation::ok);
    }

    /**
     * A drop-down of configured names (clusters, clouds), with "none" first; users who may not configure
     * {@code item} see only the current value, which is always listed.
     */
    public static ListBoxModel names(Item item, String currentValue, Supplier<List<String>> names) {
        ListBoxModel items = new ListBoxModel();
        items.add("(none)", "");
        List<String> shown = mayConfigure(item) ? names.get() : List.of();
        shown.forEach(name -> items.add(name, name));
        String current = Texts.trim(currentValue);
        if (!current.isEmpty() && !shown.contains(current)) {
            items.add(current, current);
        }
        return items;
    }

    /** The credentials of the given types, as {@link #credentials(Item, String, CredentialsMatcher)}. */
    public static ListBoxModel credentials(Item item, String currentValue, Class<?>... types) {
        return credentials(item, currentValue, CredentialsMatchers.anyOf(Arrays.stream(types)
                .map(CredentialsMatchers::instanceOf).toArray(CredentialsMatcher[]::new)));
    }

    /**
     * The credentials {@code matcher} accepts that are visible from {@code item}; only the current value for users
     * who may not see the others.
     */
    public static ListBoxModel credentials(Item item, String currentValue, CredentialsMatcher matcher) {
        StandardListBoxModel result = new StandardListBoxModel();
        String current = Texts.trim(currentValue);
        boolean allowed = item == null
                ? Jenkins.get().hasPermission(Jenkins.ADMINISTER)
                : item.hasPermission(Item.EXTENDED_READ) || item.hasPermission(CredentialsProvider.USE_ITEM);
        if (!allowed) {
            result.includeCurrentValue(current);
            return result;
        }
        result.includeEmptyValue()
                .includeMatchingAs(ACL.SYSTEM2, item, StandardCredentials.class, List.of(), matcher)
                .includeCurrentValue(current);
        return result;
    }
}
