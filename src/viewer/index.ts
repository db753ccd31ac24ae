export { showMesh, type MeshViewer, type ShowMeshOptions } from './show-mesh.ts';
