package io.swarmgate.pki;

/**
 * A certificate operation was refused; the message is the human reason, written so the CLI and the
 * console can show it as is (for example why an imported chain was rejected). Checked, because the
 * caller always has an administrator to tell.
 */
public final class PkiException extends Exception {
    private static final long serialVersionUID = 1L;

    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
