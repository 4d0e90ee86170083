package io.jenkins.plugins.progressive.steps;

import hudson.AbortException;
import hudson.model.Item;
import hudson.security.ACL;
import hudson.security.ACLContext;
import jenkins.model.Jenkins;
import org.springframework.security.core.Authentication;

/**
 * Whoever runs the build that sends a command to a rollout (promoteRollout, abortRollout, rollbackRollout): that
 * build's authentication needs the command's permission on the job that started the rollout. Captured when the step
 * starts, on the CPS VM thread, which runs as the build's authentication; the check runs later on the plugin's pool.
 */
@FunctionalInterface
interface CommandCaller {

    /** @throws AbortException naming the job, the permission and who lacks it */
    void check(String rollout, String job, RolloutAction.Command command) throws AbortException;

    /** The authentication of the current thread (the build's, on the CPS VM thread), checked against Jenkins' ACL. */
    static CommandCaller current() {
        Authentication auth = Jenkins.getAuthentication2();
        return (rollout, job, command) -> {
            try (ACLContext ignored = ACL.as2(auth)) {
                Jenkins jenkins = Jenkins.get();
                if (job.isEmpty()) {
                    if (!jenkins.hasPermission(Jenkins.ADMINISTER)) {
                        throw new AbortException("rollout '" + rollout + "' has no recorded job (it was started by an"
                                + " older version of the plugin): only an administrator may send it a command, and "
                                + auth.getName() + " is not one");
                    }
                    return;
                }
                Item item = jenkins.getItemByFullName(job);
                if (item == null) {
                    throw new AbortException("rollout '" + rollout + "' belongs to job '" + job + "', which does not"
                            + " exist or which " + auth.getName() + " may not see");
                }
                if (!item.hasPermission(command.permission)) {
                    throw new AbortException(auth.getName() + " lacks the " + command.permissionName
                            + " permission on job '" + job + "', which started rollout '" + rollout + "'");
                }
            }
        };
    }
}
