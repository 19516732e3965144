package dev.stowage.app;

import picocli.CommandLine;

/** The version printed by {@code stowage --version}: the jar's, as built. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Stowage.class.getPackage().getImplementationVersion();
        return new String[] {"stowage " + (version == null ? "(development build)" : version)};
    }
}
