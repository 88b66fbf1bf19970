package io.swarmgate.demo;
public final class DemoHandler extends org.eclipse.jetty.server.Handler.Abstract {
  public DemoHandler(io.swarmgate.config.ApplianceConfig.Demo d, java.time.Clock c, org.eclipse.jetty.util.resource.Resource r) {}
  public boolean handle(org.eclipse.jetty.server.Request a, org.eclipse.jetty.server.Response b, org.eclipse.jetty.util.Callback c) { return false; }
}
