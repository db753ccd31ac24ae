// A self-contained three.js viewer for one model: orbit controls, neutral environment lighting
// (RoomEnvironment through PMREM), auto-rotate and wireframe toggles, dispose().
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { RoomEnvironment } from 'three/examples/jsm/environments/RoomEnvironment.js';

export interface ShowMeshOptions {
  autoRotate?: boolean;
  wireframe?: boolean;
  background?: THREE.ColorRepresentation | null;
}

export interface MeshViewer {
  readonly object: THREE.Object3D;
  setAutoRotate(on: boolean): void;
  setWireframe(on: boolean): void;
  /** Re-fit the camera to the model (e.g. after a canvas resize). */
  frame(): void;
  dispose(): void;
}

export async function showMesh(
  canvas: HTMLCanvasElement,
  model: Uint8Array | THREE.Object3D,
  opts: ShowMeshOptions = {},
): Promise<MeshViewer> {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, alpha: opts.background === null });
  renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio ?? 1));
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.toneMapping = THREE.NeutralToneMapping;

  const scene = new THREE.Scene();
  if (opts.background !== null) scene.background = new THREE.Color(opts.background ?? 0xf2f2f2);
  const pmrem = new THREE.PMREMGenerator(renderer);
  const envTarget = pmrem.fromScene(new RoomEnvironment(), 0.04);
  scene.environment = envTarget.texture;

  const object = model instanceof Uint8Array ? await parseGlb(model) : model;
  scene.add(object);

  const camera = new THREE.PerspectiveCamera(40, 1, 0.01, 100);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = true;
  controls.autoRotate = opts.autoRotate ?? true;

  const materials = new Set<THREE.Material & { wireframe?: boolean }>();
  object.traverse((o) => {
    const m = (o as THREE.Mesh).material;
    if (m) for (const mat of Array.isArray(m) ? m : [m]) materials.add(mat as THREE.Material & { wireframe?: boolean });
  });
  const setWireframe = (on: boolean) => materials.forEach((m) => ('wireframe' in m ? (m.wireframe = on) : undefined));
  setWireframe(opts.wireframe ?? false);

  const frame = () => {
    const box = new THREE.Box3().setFromObject(object);
    const center = box.getCenter(new THREE.Vector3());
    const radius = Math.max(1e-3, box.getSize(new THREE.Vector3()).length() / 2);
    const dist = radius / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2));
    camera.position.copy(center).add(new THREE.Vector3(0.6, 0.4, 1).normalize().multiplyScalar(dist));
    camera.near = dist / 100;
    camera.far = dist * 10;
    controls.target.copy(center);
    resize();
    controls.update();
  };
  const resize = () => {
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    renderer.setSize(w, h, false);
    camera.aspect = w / Math.max(1, h);
    camera.updateProjectionMatrix();
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
      materials.forEach((m) => {
        for (const v of Object.values(m)) if (v instanceof THREE.Texture) v.dispose();
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
