package dev.stowage.sync;

import java.nio.file.Path;
import java.util.List;

/**
 * The scan's rules applied to a key rather than a path: whether a key names something the
 * scanner never takes (hidden, excluded, temporary, in the state folder). Used to tell a target's
 * objects this manager does not own from ones it should. Immutable.
 */
final class KeyRules {
    private final boolean includeHidden;
    private final List<KeyGlob> excludes;
    private final String statePrefix;

    KeyRules(Path root, ScanOptions options) {
        this.includeHidden = options.includeHidden();
        this.excludes = options.excludes().stream().map(KeyGlob::of).toList();
        Path realRoot = TreeWalk.realPath(root).orElse(root);
        this.statePrefix = options.stateFolder().flatMap(TreeWalk::realPath)
                .filter(folder -> folder.startsWith(realRoot) && !folder.equals(realRoot))
                .map(folder -> realRoot.relativize(folder).toString().replace(java.io.File.separatorChar, '/') + "/")
                .orElse(null);
    }

    /** True when the scanner would never take {@code key}. */
    boolean ignored(String key) {
        if (statePrefix != null && key.startsWith(statePrefix)) {
            return true;
        }
        String[] names = key.split("/");
        StringBuilder folder = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            if ((name.startsWith(".") && !includeHidden) || (name.startsWith(".stowage-") && name.endsWith(".tmp"))) {
                return true;
            }
            if (i < names.length - 1) {
                folder.append(i == 0 ? "" : "/").append(name);
                String folderKey = folder.toString();
                if (excludes.stream().anyMatch(g -> g.matchesFolder(folderKey))) {
                    return true;
                }
            }
        }
        return excludes.stream().anyMatch(g -> g.matches(key));
    }
}
