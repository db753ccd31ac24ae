// A self-contained three.js viewer for one model: orbit controls (rotate, zoom, pan), neutral
// environment lighting (RoomEnvironment through PMREM) plus one shadow-casting key light, a ground
// plane that only shows the model's shadow, toggles for auto-rotate, wireframe and texture, a
// background choice and a framing reset.
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { RoomEnvironment } from 'three/examples/jsm/environments/RoomEnvironment.js';

export interface ShowMeshOptions {
  autoRotate?: boolean;
  wireframe?: boolean;
  /** false shows the bare geometry in a neutral grey (the texture is kept and can be switched back). */
  texture?: boolean;
  /** A soft shadow on a ground plane under the model (default true). */
  groundShadow?: boolean;
  background?: THREE.ColorRepresentation | null;
}

/** The backgrounds a page can offer: a light grey studio, a dark one (light models), plain white. */
export const VIEWER_BACKGROUNDS = { light: 0xf2f2f2, dark: 0x1f2430, white: 0xffffff } as const;
export type ViewerBackground = keyof typeof VIEWER_BACKGROUNDS;

export interface MeshViewer {
  readonly object: THREE.Object3D;
  setAutoRotate(on: boolean): void;
  setWireframe(on: boolean): void;
  setTexture(on: boolean): void;
  setBackground(color: THREE.ColorRepresentation): void;
  /** Re-fit the camera to the model (e.g. after a canvas resize). */
  frame(): void;
  dispose(): void;
}

type TexturedMaterial = THREE.Material & { wireframe?: boolean; map?: THREE.Texture | null; color?: THREE.Color };

export async function showMesh(
  canvas: HTMLCanvasElement,
  model: Uint8Array | THREE.Object3D,
  opts: ShowMeshOptions = {},
): Promise<MeshViewer> {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, alpha: opts.background === null });
  renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio ?? 1));
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.toneMapping = THREE.NeutralToneMapping;
  renderer.shadowMap.enabled = opts.groundShadow ?? true;
  renderer.shadowMap.type = THREE.PCFShadowMap;

  const scene = new THREE.Scene();
  if (opts.background !== null) scene.background = new THREE.Color(opts.background ?? 0xf2f2f2);
  const pmrem = new THREE.PMREMGenerator(renderer);
  const envTarget = pmrem.fromScene(new RoomEnvironment(), 0.04);
  scene.environment = envTarget.texture;

  const object = model instanceof Uint8Array ? await parseGlb(model) : model;
  object.traverse((o) => {
    if ((o as THREE.Mesh).isMesh) o.castShadow = true;
  });
  scene.add(object);

  // Ground and key light are sized from the model's bounds, so any scale of model sits on it.
  const bounds = new THREE.Box3().setFromObject(object);
  const size = bounds.getSize(new THREE.Vector3());
  const center = bounds.getCenter(new THREE.Vector3());
  const extent = Math.max(1e-3, size.length());
  const ground = new THREE.Mesh(new THREE.PlaneGeometry(extent * 4, extent * 4), new THREE.ShadowMaterial({ opacity: 0.22 }));
  ground.rotation.x = -Math.PI / 2;
  ground.position.set(center.x, bounds.min.y - extent * 0.002, center.z);
  ground.receiveShadow = true;
  ground.visible = opts.groundShadow ?? true;
  scene.add(ground);
  const key = new THREE.DirectionalLight(0xffffff, 0.6);
  key.position.copy(center).add(new THREE.Vector3(0.4, 1.2, 0.5).multiplyScalar(extent));
  key.target.position.copy(center);
  key.castShadow = opts.groundShadow ?? true;
  key.shadow.mapSize.set(1024, 1024);
  key.shadow.radius = 4;
  const cam = key.shadow.camera as THREE.OrthographicCamera;
  cam.left = cam.bottom = -extent;
  cam.right = cam.top = extent;
  cam.near = extent * 0.05;
  cam.far = extent * 4;
  scene.add(key, key.target);

  const camera = new THREE.PerspectiveCamera(40, 1, 0.01, 100);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = true;
  controls.autoRotate = opts.autoRotate ?? true;

  const materials = new Set<TexturedMaterial>();
  object.traverse((o) => {
    const m = (o as THREE.Mesh).material;
    if (m) for (const mat of Array.isArray(m) ? m : [m]) materials.add(mat as TexturedMaterial);
  });
  const maps = new Map<TexturedMaterial, THREE.Texture | null>();
  materials.forEach((m) => maps.set(m, m.map ?? null));
  const setWireframe = (on: boolean) => materials.forEach((m) => ('wireframe' in m ? (m.wireframe = on) : undefined));
  const setTexture = (on: boolean) =>
    materials.forEach((m) => {
      if (!('map' in m)) return;
      m.map = on ? (maps.get(m) ?? null) : null;
      m.needsUpdate = true;
    });
  setWireframe(opts.wireframe ?? false);
  setTexture(opts.texture ?? true);

  const resize = () => {
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    renderer.setSize(w, h, false);
    camera.aspect = w / Math.max(1, h);
    camera.updateProjectionMatrix();
  };
  const frame = () => {
    const radius = Math.max(1e-3, extent / 2);
    const dist = radius / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2));
    camera.position.copy(center).add(new THREE.Vector3(0.6, 0.4, 1).normalize().multiplyScalar(dist));
    camera.near = dist / 100;
    camera.far = dist * 10;
    controls.target.copy(center);
    resize();
    controls.update();
  };
  const observer = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(resize) : null;
  observer?.observe(canvas);
  frame();

  let running = true;
  renderer.setAnimationLoop(() => {
    if (!running) return;
    controls.update();
    renderer.render(scene, camera);
  });

  return {
    object,
    setAutoRotate: (on) => {
      controls.autoRotate = on;
    },
    setWireframe,
    setTexture,
    setBackground: (color) => {
      scene.background = new THREE.Color(color);
    },
    frame,
    dispose: () => {
      running = false;
      renderer.setAnimationLoop(null);
      observer?.disconnect();
      controls.dispose();
      object.traverse((o) => {
        const mesh = o as THREE.Mesh;
        mesh.geometry?.dispose();
      });
      ground.geometry.dispose();
      (ground.material as THREE.Material).dispose();
      key.dispose();
      materials.forEach((m) => {
        for (const v of Object.values(m)) if (v instanceof THREE.Texture) v.dispose();
        maps.get(m)?.dispose();
        m.dispose();
      });
      envTarget.dispose();
      pmrem.dispose();
      renderer.dispose();
    },
  };
}

function parseGlb(glb: Uint8Array): Promise<THREE.Object3D> {
  const buf = glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer;
  return new Promise((resolve, reject) => new GLTFLoader().parse(buf, '', (g) => resolve(g.scene), reject));
}
