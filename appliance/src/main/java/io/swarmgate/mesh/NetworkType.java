package io.swarmgate.mesh;

/** The viewer's own report of its link; cellular viewers do not upload unless the policy allows it. */
public enum NetworkType {
    ETHERNET, WIFI, CELLULAR, UNKNOWN
}
