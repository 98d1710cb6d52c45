/** The canvas: React Flow bound to the store, drops from the palette, a lit-up call path, focus on demand. */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type IsValidConnection,
  type NodeTypes,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from "react";
import type { BlockNode, ExitEdge } from "../lib/convert";
import { NODE_WIDTH, nodeHeight } from "../lib/layout";
import { openingViewport, type Rect } from "../lib/viewport";
import { useEditor } from "../store/editor";
import { BlockNodeView } from "./BlockNodeView";

// Declared once at module level: a new object per render makes React Flow remount every node.
const nodeTypes: NodeTypes = { block: BlockNodeView };
export const BLOCK_DRAG_TYPE = "application/x-ivrgraph-block";

/** A block's box on the canvas: as React Flow measured it, else as the layout guesses it. */
function boxOf(node: BlockNode): Rect {
  return { ...node.position, width: node.measured?.width ?? NODE_WIDTH, height: node.measured?.height ?? nodeHeight(1) };
}

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const highlight = useEditor((s) => s.highlight);
  const focus = useEditor((s) => s.focus);
  const readOnly = useEditor((s) => s.readOnly);
  const fitRequest = useEditor((s) => s.fitRequest);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const onConnect = useEditor((s) => s.onConnect);
  const addBlock = useEditor((s) => s.addBlock);
  const setPanel = useEditor((s) => s.setPanel);
  const showBlockPanel = useCallback(() => setPanel("block"), [setPanel]);
  const flow = useReactFlow<BlockNode>();
  const pane = useRef<HTMLDivElement>(null);

  const isValidConnection: IsValidConnection = useCallback(
    (connection) =>
      useEditor.getState().refusal({
        source: connection.source,
        target: connection.target,
        sourceHandle: connection.sourceHandle ?? null,
        targetHandle: connection.targetHandle ?? null,
      }) === null,
    [],
  );

  const shownEdges = useMemo<ExitEdge[]>(
    () =>
      edges.map((edge) => {
        const lit = highlight.edges.has(edge.id);
        const isError = edge.sourceHandle === "error";
        const className = [lit ? "on-path" : "", isError ? "error-edge" : ""].filter(Boolean).join(" ");
        return lit || isError ? { ...edge, className, animated: lit, zIndex: lit ? 10 : 0 } : edge;
      }),
    [edges, highlight],
  );

  useEffect(() => {
    if (!focus) return;
    const node = flow.getNode(focus.nodeId);
    if (!node) return;
    const width = node.measured?.width ?? 220;
    const height = node.measured?.height ?? 100;
    void flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
  }, [focus, flow]);

  useEffect(() => {
    if (fitRequest === 0) return;
    // Give React Flow a moment to measure fresh nodes and take new positions before fitting. A graph too big to
    // read whole opens at a readable zoom on its Start block instead; the Fit view button still shows it all.
    const timer = setTimeout(() => {
      const nodes = flow.getNodes();
      const box = pane.current?.getBoundingClientRect();
      if (!box || nodes.length === 0) return;
      const start = nodes.find((n) => n.data.blockType === "start");
      const viewport = openingViewport(nodes.map(boxOf), start ? boxOf(start) : null, { width: box.width, height: box.height });
      void flow.setViewport(viewport, { duration: 150 });
    }, 60);
    return () => clearTimeout(timer);
  }, [fitRequest, flow]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(BLOCK_DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(BLOCK_DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addBlock(type, { x: position.x - 110, y: position.y - 30 });
    },
    [flow, addBlock],
  );

  return (
    <div className="canvas" data-testid="canvas" ref={pane} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<BlockNode, ExitEdge>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeClick={showBlockPanel}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        minZoom={0.1}
        maxZoom={2}
        defaultEdgeOptions={{ type: "smoothstep" }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
        <MiniMap pannable zoomable ariaLabel="minimap" style={{ width: 150, height: 100 }} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
