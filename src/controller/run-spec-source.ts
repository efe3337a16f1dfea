// What a pass reads: Marathon's apps and pods, as one list of app-shaped records (pods converted
// by model/pods.ts), so the pass, the cluster model and the host resolver treat both alike.
//
// An event names a run spec by id without saying whether it is an app or a pod (Marathon keeps
// one id space for both). The source remembers which ids were pods, asks the right endpoint
// first, and falls back to the other when the first says 404.

import { podAsApp } from '../model/pods.js';
import type { WirePodStatus } from '../model/pod-wire.js';
import type { WireApp } from '../model/wire.js';
import type { AppSource } from './ports.js';

export interface RunSpecClient {
  listApps(): Promise<WireApp[]>;
  getApp(id: string): Promise<WireApp | undefined>;
  listPods(): Promise<WirePodStatus[]>;
  getPod(id: string): Promise<WirePodStatus | undefined>;
}

export interface RunSpecSource extends AppSource {
  getApp(id: string): Promise<WireApp | undefined>;
  /** Was `id` an app (not a pod) at the last read? (Lets app-only events skip pod reads.) */
  isApp(id: string): boolean;
}

export function createRunSpecSource(client: RunSpecClient): RunSpecSource {
  const pods = new Set<string>();
  const apps = new Set<string>();
  const asPod = (id: string, status: WirePodStatus | undefined): WireApp | undefined => {
    const app = status === undefined ? undefined : podAsApp(status);
    if (app === undefined) pods.delete(id);
    else { pods.add(id); apps.delete(id); }
    return app;
  };
  const asApp = (id: string, app: WireApp | undefined): WireApp | undefined => {
    if (app === undefined) apps.delete(id);
    else { apps.add(id); pods.delete(id); }
    return app;
  };
  return {
    async listApps() {
      const [appList, podList] = await Promise.all([client.listApps(), client.listPods()]);
      const converted = podList.map(podAsApp).filter((p): p is NonNullable<typeof p> => p !== undefined);
      apps.clear();
      pods.clear();
      for (const a of appList) if (typeof a.id === 'string') apps.add(a.id);
      for (const p of converted) if (typeof p.id === 'string') pods.add(p.id);
      return [...appList, ...converted];
    },
    async getApp(id) {
      if (pods.has(id)) {
        const pod = asPod(id, await client.getPod(id));
        return pod ?? asApp(id, await client.getApp(id));
      }
      const app = asApp(id, await client.getApp(id));
      return app ?? asPod(id, await client.getPod(id));
    },
    isApp: (id) => apps.has(id),
  };
}
